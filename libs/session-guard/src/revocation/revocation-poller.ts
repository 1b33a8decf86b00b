import type { SessionServiceClient } from '../service/session-service.client';
import type { RevocationList } from './revocation-list';

export interface RevocationPollerOptions {
  /** Poll period (default 1000 ms; revocations must reach validators within 5 s). */
  intervalMs?: number;
  /** Told about failed polls (the poller keeps going). */
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Keeps a RevocationList current by polling GET /sessions/revocations?since=<cursor>. A revocation reaches this
 * validator within one interval (+ one request) of being recorded. A failed poll is reported and retried on the next
 * tick; it never throws into the caller.
 */
export class RevocationPoller {
  private cursor: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** Time of the last successful poll (ms), for health checks. */
  lastSuccessAt: number | undefined;

  constructor(
    private readonly client: SessionServiceClient,
    private readonly list: RevocationList,
    private readonly options: RevocationPollerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Loads the current list, then polls every interval. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.inflight ?? Promise.resolve();
  }

  /** One poll (single-flight). Rejects when the service call fails. */
  poll(): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.fetchOnce().finally(() => (this.inflight = undefined));
    }
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    const page = await this.client.revocations(this.cursor);
    if (page.reset) this.list.replace(page.revocations);
    else for (const entry of page.revocations) this.list.add(entry);
    this.cursor = page.cursor;
    this.list.prune(this.now());
    this.lastSuccessAt = this.now();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.poll()
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
          if (this.timer !== undefined) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}
