import {
  EventLog,
  type BatchHandler,
  type LogPosition,
  type SubscribeOptions,
  type Subscription,
} from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';

/** An in-memory EventLog for unit tests (one partition; appends deduplicated by id, like the real adapters). */
export class MemoryEventLog extends EventLog {
  readonly records: EventEnvelope[] = [];
  private readonly ids = new Map<string, number>();
  /** Makes the next appends fail (to test that state does not move without a durable append). */
  failAppends = false;

  async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    await Promise.resolve();
    if (this.failAppends) throw new Error('append failed (test)');
    return envelopes.map((e) => {
      const known = this.ids.get(e.id);
      if (known !== undefined) return { partition: 0, offset: String(known) };
      this.records.push(structuredClone(e));
      this.ids.set(e.id, this.records.length - 1);
      return { partition: 0, offset: String(this.records.length - 1) };
    });
  }

  async subscribe(_options: SubscribeOptions, _handler: BatchHandler): Promise<Subscription> {
    throw new Error('not supported by MemoryEventLog');
  }

  async replay(handler: BatchHandler, from?: LogPosition[]): Promise<void> {
    const start = from?.length ? Number(from[0].offset) : 0;
    const end = this.records.length;
    const batch = this.records.slice(start, end).map((envelope, i) => ({
      envelope: structuredClone(envelope),
      position: { partition: 0, offset: String(start + i) },
    }));
    if (batch.length) await handler(batch);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  ofType(type: string): EventEnvelope[] {
    return this.records.filter((e) => e.type === type);
  }
}
