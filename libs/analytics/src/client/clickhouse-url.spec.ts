import { AnalyticsErrorCode } from '../analytics.exception';
import { parseClickHouseUrl } from './clickhouse-url';

describe('parseClickHouseUrl', () => {
  it('reads chdb: paths, relative to cwd or absolute', () => {
    expect(parseClickHouseUrl('chdb:./data/analytics', '/srv/app')).toEqual({
      kind: 'chdb',
      path: '/srv/app/data/analytics',
    });
    expect(parseClickHouseUrl('chdb:/var/lib/x402/ch', '/srv/app')).toEqual({ kind: 'chdb', path: '/var/lib/x402/ch' });
  });

  it('reads http(s) URLs with credentials and database, and redacts the credentials', () => {
    const sut = parseClickHouseUrl('https://user:s3cret@ch.example.com:8443/analytics');
    expect(sut).toEqual({
      kind: 'http',
      url: 'https://user:s3cret@ch.example.com:8443/analytics',
      redacted: 'https://***@ch.example.com:8443/analytics',
    });
    expect(parseClickHouseUrl('http://localhost:8123').kind).toBe('http');
  });

  it.each([
    ['postgres://x', 'scheme'],
    ['chdb:', 'empty'],
    ['chdb::memory:', 'folder'],
    ['chdb:./x?y=1', 'query'],
    ['http://host:8123/a/b', 'single database'],
    ['http://host:8123/bad-name', 'bad database'],
  ])('refuses %s', (url, why) => {
    expect(() => parseClickHouseUrl(url)).toThrow(expect.objectContaining({ code: AnalyticsErrorCode.INVALID_URL }));
    expect(() => parseClickHouseUrl(url)).toThrow(new RegExp(why));
  });

  it('never puts the password in an error message', () => {
    expect(() => parseClickHouseUrl('http://u:topsecret@host:8123/a/b')).toThrow(/^(?!.*topsecret)/);
  });
});
