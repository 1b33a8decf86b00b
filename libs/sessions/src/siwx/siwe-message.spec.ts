import { formatSIWEMessage } from '@x402/extensions/sign-in-with-x';
import fc from 'fast-check';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { buildSiweMessage, parseSiweMessage, type SiweMessageFields } from './siwe-message';

const ADDRESS = '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4';

const base: SiweMessageFields = {
  domain: 'api.example.com',
  address: ADDRESS,
  statement: 'Sign in to re-access',
  uri: 'https://api.example.com/report',
  version: '1',
  chainId: 8453,
  nonce: '201a88a5c0ffee0011223344556677aa',
  issuedAt: '2026-11-23T19:13:07.976Z',
  expirationTime: '2026-11-23T19:18:07.976Z',
  resources: ['https://api.example.com/report'],
};

function official(f: SiweMessageFields): string {
  return formatSIWEMessage(
    {
      domain: f.domain,
      uri: f.uri,
      statement: f.statement,
      version: f.version,
      chainId: `eip155:${f.chainId}`,
      type: 'eip191',
      nonce: f.nonce,
      issuedAt: f.issuedAt,
      expirationTime: f.expirationTime,
      notBefore: f.notBefore,
      requestId: f.requestId,
      resources: f.resources,
    },
    f.address,
  );
}

function rejects(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SessionsException);
  expect((error as SessionsException).code).toBe(SessionsErrorCode.SIWX_REJECTED);
  expect((error as SessionsException).reason).toBe('invalid_siwx_message');
}

describe('EIP-4361 message', () => {
  it('renders the exact text the official x402 SIWx client signs', () => {
    const sut = buildSiweMessage(base);
    expect(sut).toBe(official(base));
    expect(sut).toBe(
      [
        'api.example.com wants you to sign in with your Ethereum account:',
        ADDRESS,
        '',
        'Sign in to re-access',
        '',
        'URI: https://api.example.com/report',
        'Version: 1',
        'Chain ID: 8453',
        'Nonce: 201a88a5c0ffee0011223344556677aa',
        'Issued At: 2026-11-23T19:13:07.976Z',
        'Expiration Time: 2026-11-23T19:18:07.976Z',
        'Resources:',
        '- https://api.example.com/report',
      ].join('\n'),
    );
  });

  it('renders two blank lines without a statement, and every optional field in order', () => {
    const f: SiweMessageFields = {
      ...base,
      statement: undefined,
      notBefore: '2026-11-23T19:13:00.000Z',
      requestId: 'req-1',
    };
    const sut = buildSiweMessage(f);
    expect(sut).toBe(official(f));
    expect(sut.split('\n').slice(1, 5)).toEqual([ADDRESS, '', '', 'URI: https://api.example.com/report']);
    expect(sut).toContain('Not Before: 2026-11-23T19:13:00.000Z\nRequest ID: req-1\nResources:');
  });

  it('checksums an all-lowercase address like the reference library and refuses a broken checksum', () => {
    const lower = { ...base, address: ADDRESS.toLowerCase() };
    expect(buildSiweMessage(lower)).toBe(official(lower));
    expect(buildSiweMessage(lower)).toContain(`\n${ADDRESS}\n`);
    rejects(() => buildSiweMessage({ ...base, address: ADDRESS.replace('B38', 'b38') }));
  });

  it('refuses what the EIP-4361 grammar does not allow', () => {
    rejects(() => buildSiweMessage({ ...base, nonce: 'short' }));
    rejects(() => buildSiweMessage({ ...base, nonce: 'has-dash-0123456' }));
    rejects(() => buildSiweMessage({ ...base, statement: 'two\nlines' }));
    rejects(() => buildSiweMessage({ ...base, statement: 'a "quoted" word' }));
    rejects(() => buildSiweMessage({ ...base, version: '2' }));
    rejects(() => buildSiweMessage({ ...base, chainId: 0 }));
    rejects(() => buildSiweMessage({ ...base, issuedAt: '2026-02-30T00:00:00.000Z' }));
    rejects(() => buildSiweMessage({ ...base, issuedAt: 'yesterday' }));
    rejects(() => buildSiweMessage({ ...base, uri: 'not a uri' }));
    rejects(() => buildSiweMessage({ ...base, domain: 'evil.com/path' }));
    rejects(() => buildSiweMessage({ ...base, resources: ['ok:x', 'bad uri'] }));
  });

  it('parses what it renders, and refuses altered layouts', () => {
    const text = buildSiweMessage({ ...base, notBefore: '2026-11-23T19:13:00.000Z', requestId: '' });
    expect(parseSiweMessage(text)).toEqual({ ...base, notBefore: '2026-11-23T19:13:00.000Z', requestId: '' });
    rejects(() => parseSiweMessage(text.replace('Version: 1', 'Version: 1\nExtra: x')));
    rejects(() => parseSiweMessage(text.replace(' wants you to sign in', ' would like you to sign in')));
    rejects(() => parseSiweMessage(`${text}\ntrailing`));
    rejects(() => parseSiweMessage(text.replace(ADDRESS, ADDRESS.toLowerCase())));
  });

  it('matches the official formatter and round-trips on random valid fields (property)', () => {
    const alnum = fc.stringMatching(/^[a-zA-Z0-9]{8,40}$/);
    const host = fc.constantFrom('api.example.com', '127.0.0.1:4021', 'localhost:8080', 'x402.org');
    const path = fc.stringMatching(/^(\/[a-z0-9_-]{1,8}){0,3}$/);
    const uri = fc.tuple(fc.constantFrom('https', 'http'), host, path).map(([s, h, p]) => `${s}://${h}${p || '/'}`);
    const date = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const address = fc
      .uint8Array({ minLength: 20, maxLength: 20 })
      .chain((b) =>
        fc.constantFrom(`0x${Buffer.from(b).toString('hex')}`, `0x${Buffer.from(b).toString('hex').toUpperCase()}`),
      )
      .map((a) => (a.startsWith('0X') ? `0x${a.slice(2)}` : a));
    const fields = fc.record(
      {
        domain: host,
        address,
        statement: fc.stringMatching(/^[A-Za-z0-9 .,:/?@!$&'()*+;=_~-]{1,60}$/),
        uri,
        version: fc.constant('1'),
        chainId: fc.integer({ min: 1, max: 2 ** 31 }),
        nonce: alnum,
        issuedAt: date,
        expirationTime: date,
        notBefore: date,
        requestId: fc.stringMatching(/^[a-zA-Z0-9-]{0,20}$/),
        resources: fc.array(uri, { maxLength: 3 }),
      },
      { requiredKeys: ['domain', 'address', 'uri', 'version', 'chainId', 'nonce', 'issuedAt'] },
    );
    fc.assert(
      fc.property(fields, (f) => {
        const sut = buildSiweMessage(f);
        expect(sut).toBe(official(f));
        const parsed = parseSiweMessage(sut);
        expect(buildSiweMessage(parsed)).toBe(sut);
      }),
      { numRuns: 300 },
    );
  });
});
