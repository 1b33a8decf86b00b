import { randomUUID } from 'node:crypto';
import type { UsageReport } from '../service/session-api.types';
import { SessionGuardException } from '../session-guard.exception';
import type { SessionServiceClient } from '../service/session-service.client';
import type { SessionTokenClaims, SessionTokenLimits } from '../token/session-token.claims';

export interface UsageMeterOptions {
  /** Flush period (default 1000 ms). */
  flushIntervalMs?: number;
  /** Flush as soon as this many calls are pending over all sessions (default 100). */
  flushCalls?: number;
  onError?: (error: unknown) => void;
  /** Told when the service could not take part of a batch (local enforcement overshoot across instances). */
  onOvershoot?: (sessionId: string, calls: number, spend: string) => void;
  now?: () => number;
}

interface Counter {
  limits: SessionTokenLimits;
  /** The session's end (ms): the counter is forgotten after it. */
  endsAtMs: number;
  /** Totals the service reported (all resource servers), as of the last acknowledged batch. */
  knownCalls: number;
  knownSpend: bigint;
  /** Counted here, being reported right now. */
  flushingCalls: number;
  flushingSpend: bigint;
  /** Counted here, not yet reported. */
  pendingCalls: number;
  pendingSpend: bigint;
  windowStart: number;
  windowEnd: number;
  /** The service said the session is over (exhausted, revoked, expired). */
  closed: boolean;
}

interface BatchItem {
  c: Counter;
  calls: number;
  spend: bigint;
  report: UsageReport;
}

interface Batch {
  batchId: string;
  items: BatchItem[];
}

/**
 * Meters session usage in a resource server and reports it in batches (POST /sessions/usage → `session.used`).
 *
 * Local enforcement: a call is allowed while (service totals + this server's unreported count + 1) stays within
 * `maxCalls` and the budget. One server alone never overshoots; N servers sharing a session can overshoot by at most
 * what the other N−1 counted but had not reported yet (≤ (N−1) × flushCalls calls, or one flush interval of traffic).
 * Strict enforcement does not use this check: each call is reserved with the service first (see SessionGuard).
 */
export class UsageMeter {
  private readonly counters = new Map<string, Counter>();
  private readonly flushIntervalMs: number;
  private readonly flushCalls: number;
  private readonly now: () => number;
  private pendingTotal = 0;
  private retry: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly client: SessionServiceClient,
    private readonly options: UsageMeterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.flushCalls = options.flushCalls ?? 100;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush().catch((e) => this.options.onError?.(e)), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and reports what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /**
   * Counts one call of `spend` against a locally enforced session. Returns false (and counts nothing) when the call
   * would exceed the session's limits as far as this server knows, or when the service said the session is over.
   */
  tryConsume(claims: SessionTokenClaims, spend: bigint): boolean {
    const limits = claims.lim;
    let c = this.counters.get(claims.sid);
    if (!c) {
      c = {
        limits,
        endsAtMs: claims.sexp * 1000,
        knownCalls: 0,
        knownSpend: 0n,
        flushingCalls: 0,
        flushingSpend: 0n,
        pendingCalls: 0,
        pendingSpend: 0n,
        windowStart: 0,
        windowEnd: 0,
        closed: false,
      };
      this.counters.set(claims.sid, c);
    }
    if (c.closed) return false;
    const calls = c.knownCalls + c.flushingCalls + c.pendingCalls + 1;
    if (limits.calls !== null && calls > limits.calls) return false;
    if (limits.budget !== null && c.knownSpend + c.flushingSpend + c.pendingSpend + spend > BigInt(limits.budget)) {
      return false;
    }
    const now = this.now();
    if (c.pendingCalls === 0) c.windowStart = now;
    c.windowEnd = now;
    c.pendingCalls += 1;
    c.pendingSpend += spend;
    if (++this.pendingTotal >= this.flushCalls) void this.flush().catch((e) => this.options.onError?.(e));
    return true;
  }

  /** Marks a session over (strict reservation refused, revocation, expiry); later calls are refused locally. */
  close(sessionId: string): void {
    const c = this.counters.get(sessionId);
    if (c) c.closed = true;
  }

  /** Updates the known totals from a strict reservation answer. */
  observe(claims: SessionTokenClaims, calls: number, spend: string): void {
    const c = this.counters.get(claims.sid);
    if (c) {
      c.knownCalls = Math.max(c.knownCalls, calls);
      c.knownSpend = BigInt(spend) > c.knownSpend ? BigInt(spend) : c.knownSpend;
    } else {
      this.counters.set(claims.sid, {
        limits: claims.lim,
        endsAtMs: claims.sexp * 1000,
        knownCalls: calls,
        knownSpend: BigInt(spend),
        flushingCalls: 0,
        flushingSpend: 0n,
        pendingCalls: 0,
        pendingSpend: 0n,
        windowStart: 0,
        windowEnd: 0,
        closed: false,
      });
    }
  }

  /**
   * Reports every pending count in one request (single-flight). A batch that failed for a retryable reason is sent
   * again first, unchanged and under the same batch id, so the service counts it once even if the failed attempt
   * had in fact been recorded.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.retry) {
      const retry = this.retry;
      this.retry = undefined;
      await this.run(retry);
    }
    const items: BatchItem[] = [];
    for (const [id, c] of this.counters) {
      if (c.pendingCalls === 0) continue;
      items.push({
        c,
        calls: c.pendingCalls,
        spend: c.pendingSpend,
        report: {
          sessionId: id,
          calls: c.pendingCalls,
          spend: c.pendingSpend.toString(),
          windowStart: new Date(c.windowStart).toISOString(),
          windowEnd: new Date(c.windowEnd).toISOString(),
        },
      });
      c.flushingCalls += c.pendingCalls;
      c.flushingSpend += c.pendingSpend;
      c.pendingCalls = 0;
      c.pendingSpend = 0n;
    }
    this.pendingTotal = 0;
    if (items.length === 0) return;
    await this.run({ batchId: randomUUID(), items });
  }

  private async run(batch: Batch): Promise<void> {
    this.flushing = this.send(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async send(batch: Batch): Promise<void> {
    const settle = (): void => {
      for (const item of batch.items) {
        item.c.flushingCalls -= item.calls;
        item.c.flushingSpend -= item.spend;
      }
    };
    try {
      const ack = await this.client.reportUsage(
        batch.items.map((i) => i.report),
        batch.batchId,
      );
      settle();
      const states = new Map(ack.sessions.map((s) => [s.sessionId, s]));
      for (const { c, report } of batch.items) {
        const s = states.get(report.sessionId);
        if (!s) continue;
        c.knownCalls = s.calls;
        c.knownSpend = BigInt(s.spend);
        if (s.status !== 'active') c.closed = true;
        if (s.overshootCalls > 0 || s.overshootSpend !== '0') {
          this.options.onOvershoot?.(report.sessionId, s.overshootCalls, s.overshootSpend);
        }
      }
      this.prune();
    } catch (error) {
      const status = error instanceof SessionGuardException ? error.status : undefined;
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
        // The service refused the report itself (e.g. an unknown session): retrying cannot help. Drop it, say so.
        settle();
      } else {
        // Keep it (its counts still count against the local limits) and send it again, unchanged, next flush.
        this.retry = batch;
      }
      throw error;
    }
  }

  /** Drops counters of sessions that have ended, with nothing left to report. */
  private prune(): void {
    const now = this.now();
    for (const [id, c] of this.counters) {
      if (c.endsAtMs <= now && c.pendingCalls === 0 && c.flushingCalls === 0) this.counters.delete(id);
    }
  }

  /** Counted calls not yet acknowledged by the service (tests, metrics). */
  get unreportedCalls(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.pendingCalls + c.flushingCalls;
    return n;
  }
}
