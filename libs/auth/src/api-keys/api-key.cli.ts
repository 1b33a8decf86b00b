import type { EventLog } from '@x402-ledger/event-log';
import { Clock } from '@x402-ledger/ledger';
import { CryptoSecretGenerator } from '../crypto/secret-generator.port';
import { SystemClock } from '../crypto/system-clock';
import { EventLogTail } from '../log-tail/event-log-tail';
import type { ApiKeySummary } from './api-key.record';
import { ApiKeyService, type CreateApiKeyInput, type CreatedApiKey, type RevokeApiKeyInput } from './api-key.service';

/**
 * Functions for the CLI (`npm run ledger -- api-keys …`): each reads the key records from the log (the caller opens
 * it with createEventLog(EVENT_LOG_URL) and closes it afterwards) and, for create/revoke, appends one event. A running
 * daemon/API picks the change up within its poll interval.
 */
export async function openApiKeyService(log: EventLog, clock: Clock = new SystemClock()): Promise<ApiKeyService> {
  const service = new ApiKeyService(log, clock, new CryptoSecretGenerator());
  const tail = new EventLogTail(log);
  tail.addListener((batch) => service.index.applyBatch(batch));
  await tail.start();
  await tail.stop();
  service.markReady();
  return service;
}

export async function createApiKey(log: EventLog, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  return (await openApiKeyService(log)).create(input);
}

export async function revokeApiKey(log: EventLog, keyId: string, input: RevokeApiKeyInput): Promise<ApiKeySummary> {
  return (await openApiKeyService(log)).revoke(keyId, input);
}

export async function listApiKeys(
  log: EventLog,
  filter: { tenant?: string; includeRevoked?: boolean } = {},
): Promise<ApiKeySummary[]> {
  return (await openApiKeyService(log)).list(filter);
}
