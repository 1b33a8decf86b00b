import { Clock } from '@x402-ledger/ledger';
import { AuthErrorCode } from '../auth.exception';
import { SecretGenerator } from '../crypto/secret-generator.port';
import { InMemoryEventLog } from '../testing/in-memory-event-log';
import { openApiKeyService } from './api-key.cli';
import { API_KEY_CREATED, API_KEY_REVOKED } from './api-key.events';
import { ApiKeyService } from './api-key.service';
import { ProviderKeyResolver } from './provider-key.resolver';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-03-01T12:00:00.000Z');
  }
}
class CountingSecrets extends SecretGenerator {
  private n = 0;
  hex(length: number): string {
    return (this.n++).toString(16).padStart(2 * length, '0');
  }
}

const PAY_TO = '0x209693bc6afc0c5328ba36faf03c514ef312287c';

function make(log = new InMemoryEventLog(), adminApiKey?: string) {
  const sut = new ApiKeyService(log, new FixedClock(), new CountingSecrets(), { adminApiKey });
  sut.markReady();
  return { sut, log };
}

describe('ApiKeyService', () => {
  it('creates a key, appends only its hash, and verifies it as a provider principal', async () => {
    const { sut, log } = make();
    const { key, record } = await sut.create({
      role: 'provider',
      tenant: 'acme',
      payTo: [PAY_TO],
      label: ' ops ',
      createdBy: 'cli',
    });
    expect(key).toMatch(/^x402_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(record).toMatchObject({
      role: 'provider',
      tenant: 'acme',
      label: 'ops',
      payTo: ['0x209693Bc6afc0C5328bA36FaF03C514EF312287C'],
      revokedAt: null,
    });
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ type: API_KEY_CREATED, streamType: 'tenant', tenant: 'acme', sequence: 1 });
    expect(JSON.stringify(log.records)).not.toContain(key);
    expect(sut.verify(key)).toEqual({ kind: 'provider', id: `key:${record.keyId}`, tenant: 'acme', payTo: [PAY_TO] });
  });

  it('rejects unknown, malformed and tampered keys', async () => {
    const { sut } = make();
    const { key } = await sut.create({ role: 'provider', tenant: 'acme', label: 'x', createdBy: 'cli' });
    expect(sut.verify(`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`)).toBeNull();
    expect(sut.verify('x402_0000000000000000_' + '0'.repeat(64))).toBeNull();
    expect(sut.verify('nonsense')).toBeNull();
    expect(sut.verify('x'.repeat(500))).toBeNull();
  });

  it('revokes durably and idempotently; a revoked key no longer verifies', async () => {
    const { sut, log } = make();
    const { key, record } = await sut.create({ role: 'provider', tenant: 'acme', label: 'x', createdBy: 'cli' });
    await sut.revoke(record.keyId, { revokedBy: 'admin', reason: 'leaked' });
    await sut.revoke(record.keyId, { revokedBy: 'admin', reason: 'again' });
    expect(log.records.map((r) => r.type)).toEqual([API_KEY_CREATED, API_KEY_REVOKED]);
    expect(sut.verify(key)).toBeNull();
    expect(sut.list({ includeRevoked: true })[0]).toMatchObject({ revokedBy: 'admin', revokeReason: 'leaked' });
    expect(sut.list()).toEqual([]);
    await expect(sut.revoke('ffffffffffffffff', { revokedBy: 'admin' })).rejects.toMatchObject({
      code: AuthErrorCode.KEY_NOT_FOUND,
    });
  });

  it('rebuilds the same index from the log in a new process', async () => {
    const { sut, log } = make();
    const kept = await sut.create({ role: 'provider', tenant: 'acme', label: 'kept', createdBy: 'cli' });
    const gone = await sut.create({ role: 'admin', label: 'ops admin', createdBy: 'cli' });
    await sut.revoke(gone.record.keyId, { revokedBy: 'cli' });
    const rebuilt = await openApiKeyService(log, new FixedClock());
    expect(rebuilt.verify(kept.key)).toMatchObject({ kind: 'provider', tenant: 'acme' });
    expect(rebuilt.verify(gone.key)).toBeNull();
    expect(rebuilt.list({ includeRevoked: true })).toEqual(sut.list({ includeRevoked: true }));
  });

  it('accepts the configured admin key as an admin principal', () => {
    const { sut } = make(undefined, 'x402_admin_' + 'f'.repeat(48));
    expect(sut.verify('x402_admin_' + 'f'.repeat(48))).toEqual({ kind: 'admin', id: 'admin:config' });
    expect(sut.verify('x402_admin_' + 'e'.repeat(48))).toBeNull();
  });

  it('validates create input and lists every problem', async () => {
    const { sut, log } = make();
    await expect(
      sut.create({ role: 'provider', tenant: null, payTo: ['0x12'], label: '', createdBy: 'cli' }),
    ).rejects.toMatchObject({
      code: AuthErrorCode.INVALID_INPUT,
      message: expect.stringMatching(/tenant.*payTo 0x12.*label/),
    });
    await expect(sut.create({ role: 'admin', tenant: 'acme', label: 'x', createdBy: 'cli' })).rejects.toMatchObject({
      code: AuthErrorCode.INVALID_INPUT,
    });
    expect(log.records).toHaveLength(0);
  });

  it('refuses to verify provider keys before the index has read the log', async () => {
    const sut = new ApiKeyService(new InMemoryEventLog(), new FixedClock(), new CountingSecrets());
    expect(() => sut.verify('x402_0000000000000000_' + '0'.repeat(64))).toThrow(
      expect.objectContaining({ code: AuthErrorCode.NOT_READY }),
    );
  });

  it('resolves provider keys for the facilitator (tenant + key id), nothing else', async () => {
    const { sut } = make(undefined, 'x402_admin_' + 'f'.repeat(48));
    const resolver = new ProviderKeyResolver(sut);
    const provider = await sut.create({ role: 'provider', tenant: 'acme', label: 'x', createdBy: 'cli' });
    const admin = await sut.create({ role: 'admin', label: 'ops', createdBy: 'cli' });
    expect(await resolver.authenticate(provider.key)).toEqual({ tenant: 'acme', keyId: provider.record.keyId });
    expect(await resolver.authenticate(admin.key)).toBeNull();
    expect(await resolver.authenticate('x402_admin_' + 'f'.repeat(48))).toBeNull();
    expect(await resolver.authenticate('unknown')).toBeNull();
  });
});
