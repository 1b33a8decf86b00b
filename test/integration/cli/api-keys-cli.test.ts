import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiKeyService } from '@x402-ledger/auth';
import { type EventLog, createEventLog } from '@x402-ledger/event-log';
import { CliUsageError, parseArgs } from '../../../apps/cli/src/cli-args';
import { apiKeysCommand } from '../../../apps/cli/src/commands/api-key-commands';

const known = {
  tenant: 'value',
  label: 'value',
  'pay-to': 'value',
  admin: 'flag',
  all: 'flag',
  reason: 'value',
} as const;

describe('ledger CLI: api-keys on the real embedded log', () => {
  let log: EventLog;
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const parsed = parseArgs(argv, known);
    const code = await apiKeysCommand(log, { ...parsed, positionals: ['api-keys', ...parsed.positionals] }, (l) =>
      lines.push(l),
    );
    return { code, json: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  beforeAll(async () => {
    log = await createEventLog(`file:${mkdtempSync(join(tmpdir(), 'x402-keys-cli-'))}/log`);
  });
  afterAll(async () => {
    await log.close();
  });

  it('creates a provider key shown once, lists it without the secret, and revokes it for good', async () => {
    const created = await run(
      'create',
      '--tenant',
      'acme',
      '--label',
      'acme prod',
      '--pay-to',
      '0x00000000000000000000000000000000000000a1',
    );
    expect(created.code).toBe(0);
    const { key, keyId } = created.json[0] as { key: string; keyId: string };
    expect(key).toMatch(/^x402_/);

    const listed = await run('list', '--tenant', 'acme');
    expect(listed.json).toHaveLength(1);
    expect(listed.json[0]).toMatchObject({ keyId, tenant: 'acme', label: 'acme prod' });
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect((await openApiKeyService(log)).verify(key)).toMatchObject({ kind: 'provider', tenant: 'acme' });

    const revoked = await run('revoke', keyId, '--reason', 'rotated');
    expect(revoked.code).toBe(0);
    expect((await run('list', '--tenant', 'acme')).json).toEqual([]);
    expect((await run('list', '--tenant', 'acme', '--all')).json).toHaveLength(1);
    expect((await openApiKeyService(log)).verify(key)).toBeNull();
  });

  it('refuses incomplete commands with a usage error and writes nothing', async () => {
    await expect(run('create', '--label', 'no tenant')).rejects.toBeInstanceOf(CliUsageError);
    await expect(run('revoke')).rejects.toBeInstanceOf(CliUsageError);
    await expect(run('rotate')).rejects.toBeInstanceOf(CliUsageError);
    expect((await run('list', '--all')).json).toHaveLength(1); // only the key of the first test
  });
});
