import type { RevocationEntry } from '../service/session-api.types';

/**
 * The sessions a validator must refuse, each kept until no token of it can still be valid (`relevantUntil`).
 * Lookups are one Map probe: this sits on the hot path of every request.
 */
export class RevocationList {
  private readonly revoked = new Map<string, number>();

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  add(entry: Pick<RevocationEntry, 'sessionId' | 'relevantUntil'>): void {
    this.revoked.set(entry.sessionId, Date.parse(entry.relevantUntil));
  }

  /** Replaces the whole list (after a feed reset). */
  replace(entries: readonly RevocationEntry[]): void {
    this.revoked.clear();
    for (const e of entries) this.add(e);
  }

  /** Forgets entries whose tokens have all expired. */
  prune(nowMs: number): void {
    for (const [id, until] of this.revoked) if (until <= nowMs) this.revoked.delete(id);
  }

  get size(): number {
    return this.revoked.size;
  }
}
