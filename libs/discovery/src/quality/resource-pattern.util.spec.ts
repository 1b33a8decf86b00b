import { originOf, resourcePattern } from './resource-pattern.util';

describe('resourcePattern', () => {
  it('matches the exact URL, escaping regex characters', () => {
    const sut = new RegExp(resourcePattern('https://a.example.com/v1.0/weather'));
    expect(sut.test('https://a.example.com/v1.0/weather')).toBe(true);
    expect(sut.test('https://a.example.com/v1x0/weather')).toBe(false);
    expect(sut.test('https://a.example.com/v1.0/weather/more')).toBe(false);
  });

  it('matches one path segment per :param of a route template', () => {
    const sut = new RegExp(resourcePattern('https://a.example.com/users/:id/posts', '/users/:id/posts'));
    expect(sut.test('https://a.example.com/users/42/posts')).toBe(true);
    expect(sut.test('https://a.example.com/users/42/43/posts')).toBe(false);
    expect(sut.test('https://b.example.com/users/42/posts')).toBe(false);
    expect(originOf('https://a.example.com:8443/x')).toBe('https://a.example.com:8443');
  });
});
