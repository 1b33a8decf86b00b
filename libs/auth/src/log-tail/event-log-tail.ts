import type { EventLog, LoggedEvent, LogPosition } from '@x402-ledger/event-log';

/** `history`: records that were on the log when start() began; `live`: records appended after. */
export type TailPhase = 'history' | 'live';
export type TailListener = (batch: readonly LoggedEvent[], phase: TailPhase) => void | Promise<void>;

export interface EventLogTailOptions {
  /** How often to look for new records after the initial read (default 250 ms). */
  pollIntervalMs?: number;
  /** Called when a poll fails (the tail keeps polling). */
  onError?: (error: unknown) => void;
}

/**
 * Reads the whole log once (`replay`, touching no consumer group), then keeps reading what gets appended by polling
 * `replay(from = next positions)`. Every listener sees every record exactly once per process, in log order per
 * partition. Used to rebuild in-memory indexes on start (API keys) and to feed in-process notifications.
 *
 * Why not a consumer group: an index rebuilt on every start must read from the beginning every time, and several
 * processes (daemon, CLI, API replicas) each need every record; a replay position kept in memory does both.
 */
export class EventLogTail {
  private readonly listeners: TailListener[] = [];
  private readonly next = new Map<number, bigint>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;
  private readyFlag = false;

  constructor(
    private readonly log: EventLog,
    private readonly options: EventLogTailOptions = {},
  ) {}

  /** Adds a listener. One added after start() sees only what is read from then on (phase `live`). */
  addListener(listener: TailListener): void {
    this.listeners.push(listener);
  }

  /** True once the initial read reached the end of the log as of start(). */
  get ready(): boolean {
    return this.readyFlag;
  }

  /** Reads the log to its end (phase `history`), then starts polling. Resolves when the history is read. */
  async start(): Promise<void> {
    if (this.started) return this.chain;
    this.started = true;
    this.chain = this.read('history').then(() => {
      this.readyFlag = true;
      this.schedule();
    });
    return this.chain;
  }

  /** Reads whatever was appended since the last read, now (e.g. right after this process appended). */
  catchUp(): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    this.chain = this.chain.then(
      () => this.read('live'),
      () => this.read('live'),
    );
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.catchUp()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 250);
    this.timer.unref();
  }

  private async read(phase: TailPhase): Promise<void> {
    if (this.stopped) return;
    const from: LogPosition[] = [...this.next].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
    await this.log.replay(async (batch) => {
      for (const listener of this.listeners) await listener(batch, phase);
      for (const { position } of batch) {
        const after = BigInt(position.offset) + 1n;
        if (after > (this.next.get(position.partition) ?? 0n)) this.next.set(position.partition, after);
      }
    }, from);
  }
}
