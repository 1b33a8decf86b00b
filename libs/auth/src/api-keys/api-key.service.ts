import { createHash, timingSafeEqual } from 'node:crypto';
import { getAddress } from 'viem';
import type { EventLog } from '@x402-ledger/event-log';
import { Clock, eventId, type EventEnvelope } from '@x402-ledger/ledger';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { SecretGenerator } from '../crypto/secret-generator.port';
import { adminPrincipal, isTenantId, providerPrincipal, type Principal } from '../principal/principal';
import {
  API_KEY_CREATED,
  API_KEY_REVOKED,
  apiKeyEventRegistry,
  apiKeyStreamId,
  SYSTEM_TENANT,
  type ApiKeyCreatedData,
  type ApiKeyRevokedData,
} from './api-key.events';
import { ApiKeyIndex } from './api-key.index';
import { summarize, type ApiKeySummary } from './api-key.record';

export const API_KEY_PRODUCER = 'auth@0.1.0';
const KEY_FORMAT = /^x402_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface CreateApiKeyInput {
  role: 'provider' | 'admin';
  /** Required for a provider key; must be null/absent for an admin key. */
  tenant?: string | null;
  /** payTo addresses the key is limited to (any case); empty = every payTo of the tenant. */
  payTo?: readonly string[];
  label: string;
  /** Who creates it (CLI user, admin principal id). */
  createdBy: string;
}

export interface CreatedApiKey {
  /** The key text. Shown once; only its sha256 is stored. */
  key: string;
  record: ApiKeySummary;
}

export interface RevokeApiKeyInput {
  reason?: string | null;
  revokedBy: string;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Provider/admin API keys: created and revoked as events on the EventLog (durable before the call resolves), verified
 * from an in-memory index that is rebuilt from the log on start (see AuthModule / EventLogTail). Keys are
 * `x402_<keyId>_<secret>`; the index holds sha256(key) and compares in constant time. The configured admin key
 * (ADMIN_API_KEY, dev: generated) is accepted as an admin principal without being on the log.
 */
export class ApiKeyService {
  readonly index = new ApiKeyIndex();
  private readonly adminKeyHash: Buffer | null;
  private readyFlag = false;

  constructor(
    private readonly log: EventLog,
    private readonly clock: Clock,
    private readonly secrets: SecretGenerator,
    options: { adminApiKey?: string | null } = {},
  ) {
    this.adminKeyHash = options.adminApiKey ? sha256(options.adminApiKey) : null;
  }

  /** Marks the index complete (the owner calls it once the log's history was read). */
  markReady(): void {
    this.readyFlag = true;
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const data = this.validateCreate(input);
    const key = `x402_${data.keyId}_${this.secrets.hex(32)}`;
    data.keyHash = sha256(key).toString('hex');
    const envelope = this.envelope(data.keyId, API_KEY_CREATED, 1, data.tenant ?? SYSTEM_TENANT, data);
    await this.log.append([envelope]);
    this.index.applyBatch([{ envelope, position: { partition: -1, offset: '0' } }]);
    const record = this.index.get(data.keyId);
    if (!record) throw new Error('api key index did not take the created key');
    return { key, record: summarize(record) };
  }

  /** Revokes a key (idempotent: revoking a revoked key changes nothing). */
  async revoke(keyId: string, input: RevokeApiKeyInput): Promise<ApiKeySummary> {
    this.assertReady();
    const record = this.index.get(keyId);
    if (!record) throw new AuthException(AuthErrorCode.KEY_NOT_FOUND, `API key ${keyId} not found`);
    if (record.revokedAt !== null) return summarize(record);
    const data: ApiKeyRevokedData = {
      keyId,
      reason: input.reason ?? null,
      revokedBy: input.revokedBy,
    };
    const envelope = this.envelope(keyId, API_KEY_REVOKED, 2, record.tenant ?? SYSTEM_TENANT, data);
    await this.log.append([envelope]);
    this.index.applyBatch([{ envelope, position: { partition: -1, offset: '0' } }]);
    return summarize(record);
  }

  list(filter: { tenant?: string; includeRevoked?: boolean } = {}): ApiKeySummary[] {
    return this.index
      .all()
      .filter((r) => filter.tenant === undefined || r.tenant === filter.tenant)
      .filter((r) => filter.includeRevoked === true || r.revokedAt === null)
      .map(summarize);
  }

  /** The principal a presented key stands for, or null when it is unknown, malformed or revoked. */
  verify(presented: string): Principal | null {
    if (presented.length > 200) return null;
    const digest = sha256(presented);
    if (this.adminKeyHash && timingSafeEqual(digest, this.adminKeyHash)) return adminPrincipal('admin:config');
    const match = KEY_FORMAT.exec(presented);
    if (!match) return null;
    this.assertReady();
    const record = this.index.get(match[1]);
    if (!record || record.revokedAt !== null) return null;
    if (!timingSafeEqual(digest, Buffer.from(record.keyHash, 'hex'))) return null;
    const id = `key:${record.keyId}`;
    return record.role === 'admin' ? adminPrincipal(id) : providerPrincipal(id, record.tenant, record.payTo);
  }

  private assertReady(): void {
    if (!this.readyFlag) throw new AuthException(AuthErrorCode.NOT_READY, 'the API key index is still reading the log');
  }

  private validateCreate(input: CreateApiKeyInput): ApiKeyCreatedData {
    const problems: string[] = [];
    const tenant = input.tenant ?? null;
    if (input.role !== 'provider' && input.role !== 'admin') problems.push('role must be provider or admin');
    if (input.role === 'provider' && (tenant === null || !isTenantId(tenant))) {
      problems.push('a provider key needs a tenant id ([A-Za-z0-9._:-], at most 100 characters)');
    }
    if (input.role === 'admin' && tenant !== null) problems.push('an admin key has no tenant');
    const payTo: string[] = [];
    for (const address of input.payTo ?? []) {
      try {
        payTo.push(getAddress(address.toLowerCase()));
      } catch {
        problems.push(`payTo ${address} is not an address`);
      }
    }
    if (input.role === 'admin' && payTo.length > 0) problems.push('an admin key has no payTo addresses');
    const label = input.label?.trim() ?? '';
    if (label.length < 1 || label.length > 200) problems.push('label must be 1..200 characters');
    if (!input.createdBy || input.createdBy.length > 200) problems.push('createdBy must be 1..200 characters');
    if (problems.length > 0) throw new AuthException(AuthErrorCode.INVALID_INPUT, problems.join('; '));
    return {
      keyId: this.secrets.hex(8),
      role: input.role,
      tenant,
      payTo: [...new Set(payTo)],
      label,
      keyHash: '',
      createdBy: input.createdBy,
    };
  }

  private envelope(
    keyId: string,
    type: string,
    sequence: number,
    tenant: string,
    data: ApiKeyCreatedData | ApiKeyRevokedData,
  ): EventEnvelope {
    const streamId = apiKeyStreamId(keyId);
    const now = this.clock.now().toISOString();
    return apiKeyEventRegistry.parseEnvelope({
      id: eventId(streamId, type, sequence),
      type,
      version: 1,
      streamType: 'tenant',
      streamId,
      sequence,
      occurredAt: now,
      recordedAt: now,
      tenant,
      correlationId: `api-key:${keyId}`,
      causationId: null,
      producer: API_KEY_PRODUCER,
      data: data as unknown as Record<string, unknown>,
    });
  }
}
