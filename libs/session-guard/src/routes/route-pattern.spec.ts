import { SessionGuardException } from '../session-guard.exception';
import { RouteTable, normalizeRequestPath, parseRoutePattern } from './route-pattern';

describe('route patterns', () => {
  it('matches method + path like the official resource server', () => {
    const sut = new RouteTable<string>([
      ['GET /weather/:city', 'city'],
      ['get /weather', 'weather'],
      ['POST /items/[id]/buy', 'buy'],
      ['/files/*', 'files'],
    ]);
    expect(sut.match('GET', '/weather/paris')?.value).toBe('city');
    expect(sut.match('GET', '/weather/paris')?.pattern.key).toBe('GET /weather/:city');
    expect(sut.match('GET', '/weather/')?.value).toBe('weather');
    expect(sut.match('GET', '/weather?x=1')?.value).toBe('weather');
    expect(sut.match('POST', '/weather')).toBeUndefined();
    expect(sut.match('GET', '/weather/paris/extra')).toBeUndefined();
    expect(sut.match('POST', '/items/7/buy')?.value).toBe('buy');
    expect(sut.match('DELETE', '/files')?.value).toBe('files');
    expect(sut.match('PUT', '/files/a/b')?.value).toBe('files');
    expect(sut.match('GET', '/weather/a%2Fb')).toBeDefined();
    expect(sut.match('GET', '/weather/a%2Fb/c')).toBeUndefined();
    expect(sut.keys()).toEqual(['GET /weather/:city', 'GET /weather', 'POST /items/[id]/buy', '* /files/*']);
  });

  it('normalizes paths and refuses malformed routes', () => {
    expect(normalizeRequestPath('//a///b/?q#f')).toBe('/a/b');
    expect(normalizeRequestPath('/')).toBe('/');
    expect(() => parseRoutePattern('GET weather')).toThrow(SessionGuardException);
    expect(() => parseRoutePattern('G3T /x')).toThrow(SessionGuardException);
  });
});
