import type { RevocationEntry, RevocationPage } from '@x402-ledger/session-guard';

interface FeedEntry extends RevocationEntry {
  seq: number;
  relevantUntilMs: number;
}

/**
 * The revocation feed validators poll (GET /sessions/revocations?since=<cursor>). Entries are ordered by a sequence
 * number assigned in log order (so a rebuilt feed numbers them the same way); an entry is served until every token
 * of its session has expired. A cursor ahead of the feed (another instance, a wiped log) gets the full list with
 * `reset: true`.
 */
export class RevocationFeed {
  private entries: FeedEntry[] = [];
  private seq = 0;

  constructor(private readonly pollAfterMs = 1000) {}

  record(entry: RevocationEntry): void {
    this.seq += 1;
    this.entries.push({ ...entry, seq: this.seq, relevantUntilMs: Date.parse(entry.relevantUntil) });
  }

  page(since: string | undefined, nowMs: number): RevocationPage {
    this.prune(nowMs);
    const cursor = String(this.seq);
    const from = since !== undefined && /^[0-9]{1,15}$/.test(since) ? Number(since) : undefined;
    if (from === undefined || from > this.seq) {
      return { revocations: this.entries.map(strip), cursor, reset: true, pollAfterMs: this.pollAfterMs };
    }
    return {
      revocations: this.entries.filter((e) => e.seq > from).map(strip),
      cursor,
      reset: false,
      pollAfterMs: this.pollAfterMs,
    };
  }

  prune(nowMs: number): void {
    if (this.entries.some((e) => e.relevantUntilMs <= nowMs)) {
      this.entries = this.entries.filter((e) => e.relevantUntilMs > nowMs);
    }
  }

  get size(): number {
    return this.entries.length;
  }
}

function strip(e: FeedEntry): RevocationEntry {
  return { sessionId: e.sessionId, wallet: e.wallet, revokedAt: e.revokedAt, relevantUntil: e.relevantUntil };
}
