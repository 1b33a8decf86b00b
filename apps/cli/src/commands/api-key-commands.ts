import { userInfo } from 'node:os';
import { createApiKey, listApiKeys, revokeApiKey } from '@x402-ledger/auth';
import type { EventLog } from '@x402-ledger/event-log';
import { CliUsageError, type ParsedArgs } from '../cli-args';

const cliUser = () => `cli:${userInfo().username}`;

/**
 * `api-keys create --tenant T --label L [--pay-to 0x…,0x…] [--admin]` → prints the key once (only its hash is stored);
 * `api-keys list [--tenant T] [--all]` → one JSON line per key (never the key); `api-keys revoke <keyId> [--reason R]`.
 * Create and revoke append one event to the log; a running daemon or API picks it up within its poll interval.
 */
export async function apiKeysCommand(log: EventLog, args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const [, sub, id] = args.positionals;
  const text = (name: string) => {
    const v = args.options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  if (sub === 'create') {
    const admin = args.options.get('admin') === true;
    const label = text('label');
    if (!label) throw new CliUsageError('api-keys create needs --label');
    const tenant = text('tenant');
    if (!admin && !tenant) throw new CliUsageError('api-keys create needs --tenant (or --admin)');
    const payTo = (text('pay-to') ?? '').split(',').filter(Boolean);
    const created = await createApiKey(log, {
      role: admin ? 'admin' : 'provider',
      tenant: admin ? null : tenant,
      payTo,
      label,
      createdBy: cliUser(),
    });
    out(JSON.stringify({ key: created.key, keyId: created.record.keyId, tenant: created.record.tenant }));
    return 0;
  }
  if (sub === 'list') {
    const keys = await listApiKeys(log, { tenant: text('tenant'), includeRevoked: args.options.get('all') === true });
    for (const k of keys) out(JSON.stringify(k));
    return 0;
  }
  if (sub === 'revoke') {
    if (!id) throw new CliUsageError('api-keys revoke needs a key id');
    const revoked = await revokeApiKey(log, id, { reason: text('reason') ?? null, revokedBy: cliUser() });
    out(JSON.stringify(revoked));
    return 0;
  }
  throw new CliUsageError('api-keys create | list | revoke');
}
