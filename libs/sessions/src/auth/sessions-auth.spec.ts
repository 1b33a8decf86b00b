import { SessionsErrorCode } from '../sessions.exception';
import { ApiKeySessionsAuth } from './sessions-auth';

describe('ApiKeySessionsAuth', () => {
  const sut = new ApiKeySessionsAuth({
    adminApiKey: 'admin_key_0123456789abcdefgh',
    apiKeys: { provider_key_acme_0123456789: 'acme' },
    devLoopbackTenant: 'dev',
  });
  const req = (authorization?: string, tenant?: string, remoteAddress = '10.0.0.8') => ({
    authorization,
    tenant,
    remoteAddress,
  });

  it('maps provider keys to their tenant and lets the admin act for any tenant', () => {
    expect(sut.authenticate(req('Bearer provider_key_acme_0123456789', 'other'))).toEqual({
      tenant: 'acme',
      admin: false,
      subject: 'provider:acme#0',
    });
    expect(sut.authenticate(req('Bearer admin_key_0123456789abcdefgh', 'beta'))).toMatchObject({
      tenant: 'beta',
      admin: true,
    });
    expect(sut.authenticate(req('bearer admin_key_0123456789abcdefgh'))).toMatchObject({
      tenant: 'default',
      admin: true,
    });
  });

  it('refuses missing and unknown keys; only keyless loopback requests get the dev tenant', () => {
    expect(() => sut.authenticate(req('Bearer nope'))).toThrow(
      expect.objectContaining({ code: SessionsErrorCode.UNAUTHORIZED }),
    );
    expect(() => sut.authenticate(req(undefined))).toThrow(
      expect.objectContaining({ code: SessionsErrorCode.UNAUTHORIZED }),
    );
    expect(sut.authenticate(req(undefined, undefined, '127.0.0.1'))).toMatchObject({ tenant: 'dev', admin: false });
    expect(sut.authenticate(req(undefined, undefined, '::ffff:127.0.0.1'))).toMatchObject({ tenant: 'dev' });
    expect(() => sut.authenticate(req('Bearer wrong', undefined, '127.0.0.1'))).toThrow(
      expect.objectContaining({ code: SessionsErrorCode.UNAUTHORIZED }),
    );
    const strict = new ApiKeySessionsAuth({ apiKeys: {} });
    expect(() => strict.authenticate(req(undefined, undefined, '127.0.0.1'))).toThrow(
      expect.objectContaining({ code: SessionsErrorCode.UNAUTHORIZED }),
    );
  });

  it('asks an external key source for keys it does not hold', async () => {
    const withLookup = new ApiKeySessionsAuth({
      lookup: async (key) => (key === 'facilitator_key_0123456789ab' ? { tenant: 'acme' } : null),
    });
    await expect(withLookup.authenticate(req('Bearer facilitator_key_0123456789ab'))).resolves.toMatchObject({
      tenant: 'acme',
    });
    await expect(withLookup.authenticate(req('Bearer other_key_0123456789abcd'))).rejects.toMatchObject({
      code: SessionsErrorCode.UNAUTHORIZED,
    });
  });
});
