import type { LoggedEvent } from '@x402-ledger/event-log';
import { API_KEY_CREATED, API_KEY_REVOKED, apiKeyEventRegistry } from './api-key.events';
import type { ApiKeyCreatedData, ApiKeyRevokedData } from './api-key.events';
import type { ApiKeyRecord } from './api-key.record';

/**
 * The in-memory index of API keys, folded from `tenant.api_key_*` events. Applying the same event twice is a no-op,
 * so it may be fed at-least-once (tail redeliveries, an append applied locally and then read back from the log).
 */
export class ApiKeyIndex {
  private readonly byId = new Map<string, ApiKeyRecord>();
  /** Revocations seen before their creation (other partitions may deliver out of order). */
  private readonly earlyRevocations = new Map<string, { at: string; data: ApiKeyRevokedData }>();
  private invalidCount = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Events with an unreadable key contract that were skipped. */
  get invalid(): number {
    return this.invalidCount;
  }

  get(keyId: string): ApiKeyRecord | undefined {
    return this.byId.get(keyId);
  }

  all(): ApiKeyRecord[] {
    return [...this.byId.values()].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId),
    );
  }

  applyBatch(batch: readonly LoggedEvent[]): void {
    for (const { envelope } of batch) {
      if (envelope.type !== API_KEY_CREATED && envelope.type !== API_KEY_REVOKED) continue;
      let data: Record<string, unknown>;
      try {
        data = apiKeyEventRegistry.parseEnvelope(envelope).data;
      } catch {
        this.invalidCount++;
        continue;
      }
      if (envelope.type === API_KEY_CREATED) this.created(data as ApiKeyCreatedData, envelope.occurredAt);
      else this.revoked(data as ApiKeyRevokedData, envelope.occurredAt);
    }
  }

  private created(data: ApiKeyCreatedData, at: string): void {
    if (this.byId.has(data.keyId)) return;
    const record: ApiKeyRecord = {
      keyId: data.keyId,
      role: data.role,
      tenant: data.tenant,
      payTo: [...data.payTo],
      label: data.label,
      keyHash: data.keyHash,
      createdBy: data.createdBy,
      createdAt: at,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    };
    this.byId.set(data.keyId, record);
    const early = this.earlyRevocations.get(data.keyId);
    if (early) {
      this.earlyRevocations.delete(data.keyId);
      this.revoked(early.data, early.at);
    }
  }

  private revoked(data: ApiKeyRevokedData, at: string): void {
    const record = this.byId.get(data.keyId);
    if (!record) {
      this.earlyRevocations.set(data.keyId, { at, data });
      return;
    }
    if (record.revokedAt !== null) return;
    record.revokedAt = at;
    record.revokedBy = data.revokedBy;
    record.revokeReason = data.reason;
  }
}
