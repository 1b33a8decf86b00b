import {
  EventLog,
  type BatchHandler,
  type LogPosition,
  type SubscribeOptions,
  type Subscription,
} from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';

/** An EventLog in memory for unit tests: appends are "durable" at once; `failNext` makes the next append fail. */
export class InMemoryEventLog extends EventLog {
  readonly records: EventEnvelope[] = [];
  failNext = 0;

  async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk on fire');
    }
    return envelopes.map((e) => {
      const existing = this.records.findIndex((r) => r.id === e.id);
      if (existing >= 0) return { partition: 0, offset: String(existing) };
      this.records.push(e);
      return { partition: 0, offset: String(this.records.length - 1) };
    });
  }

  async subscribe(_options: SubscribeOptions, _handler: BatchHandler): Promise<Subscription> {
    return { close: async () => undefined };
  }

  async replay(handler: BatchHandler): Promise<void> {
    await handler(this.records.map((envelope, i) => ({ envelope, position: { partition: 0, offset: String(i) } })));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  types(streamId?: string): string[] {
    return this.records.filter((r) => !streamId || r.streamId === streamId).map((r) => r.type);
  }
}
