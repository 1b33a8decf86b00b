import { claims, signToken, testKey } from '../testing/test-tokens';
import { SessionTokenStore } from './session-token.store';

const NOW_S = Date.parse('2026-03-01T12:00:00.000Z') / 1000;

describe('SessionTokenStore', () => {
  it('offers the token whose scope covers method + path at the token audience, until it expires', async () => {
    const key = await testKey();
    let now = NOW_S * 1000;
    const sut = new SessionTokenStore(() => now);
    const token = await signToken(key, claims(NOW_S));
    expect(sut.add(token)).toBe(true);
    expect(sut.add('garbage')).toBe(false);
    expect(sut.find(new URL('http://127.0.0.1:4021/weather/paris'), 'get')).toBe(token);
    expect(sut.find(new URL('http://127.0.0.1:4021/weather'), 'POST')).toBeUndefined();
    expect(sut.find(new URL('http://127.0.0.1:9999/weather'), 'GET')).toBeUndefined();
    const refreshed = await signToken(key, claims(NOW_S, { jti: 'j2' }));
    sut.add(refreshed);
    expect(sut.size).toBe(1);
    expect(sut.find(new URL('http://127.0.0.1:4021/weather'), 'GET')).toBe(refreshed);
    sut.remove(refreshed);
    expect(sut.find(new URL('http://127.0.0.1:4021/weather'), 'GET')).toBeUndefined();
    sut.add(refreshed);
    now += 301_000;
    expect(sut.find(new URL('http://127.0.0.1:4021/weather'), 'GET')).toBeUndefined();
    expect(sut.size).toBe(0);
  });
});
