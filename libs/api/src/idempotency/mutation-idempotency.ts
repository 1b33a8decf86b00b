import { createHash } from 'node:crypto';
import { canonicalJson } from '@x402-ledger/ledger';
import { ApiErrorCode, ApiException } from '../api.exception';

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
}

/**
 * Idempotency of mutations per (caller, mutation, key): a repeat with the same input gets the first answer (or waits
 * for it if it is still running); with another input, IDEMPOTENCY_CONFLICT. Only successful answers are kept (a
 * refused command may succeed later, e.g. once the payment settled). In memory, per process, 24 h; the ledger's
 * deterministic refund/dispute ids and idempotent decisions keep the written facts idempotent across processes.
 */
export class MutationIdempotency {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 24 * 3_600_000,
    private readonly capacity = 100_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async run<T>(
    scope: { caller: string; mutation: string; key: string },
    input: unknown,
    work: () => Promise<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    const id = `${scope.caller}\u0000${scope.mutation}\u0000${scope.key}`;
    const fingerprint = createHash('sha256')
      .update(canonicalJson(JSON.parse(JSON.stringify(input ?? null)) as never))
      .digest('hex');
    const now = this.now();
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) {
        throw new ApiException(
          ApiErrorCode.IDEMPOTENCY_CONFLICT,
          `idempotency key ${scope.key} was used with a different ${scope.mutation} request`,
        );
      }
      return { value: (await existing.result) as T, replayed: true };
    }
    this.sweep(now);
    const result = work();
    const entry: Entry = { fingerprint, result, expiresAt: now + this.ttlMs };
    this.entries.set(id, entry);
    try {
      return { value: await result, replayed: false };
    } catch (error) {
      if (this.entries.get(id) === entry) this.entries.delete(id);
      throw error;
    }
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.capacity) break;
      this.entries.delete(id);
    }
  }
}
