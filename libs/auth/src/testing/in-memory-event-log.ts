import { EventLog, type BatchHandler, type LogPosition, type Subscription } from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';

/** A fake of the EventLog port for unit specs: one partition, appends kept in memory, id-idempotent. */
export class InMemoryEventLog extends EventLog {
  readonly records: EventEnvelope[] = [];
  appendCalls = 0;

  async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    this.appendCalls++;
    return envelopes.map((e) => {
      let offset = this.records.findIndex((r) => r.id === e.id);
      if (offset < 0) offset = this.records.push(structuredClone(e)) - 1;
      return { partition: 0, offset: String(offset) };
    });
  }

  async subscribe(): Promise<Subscription> {
    throw new Error('not used by these specs');
  }

  async replay(handler: BatchHandler, from?: LogPosition[]): Promise<void> {
    const start = Number(from?.[0]?.offset ?? 0);
    const end = this.records.length;
    for (let i = start; i < end; i += 2) {
      await handler(
        this.records
          .slice(i, Math.min(i + 2, end))
          .map((envelope, k) => ({ envelope, position: { partition: 0, offset: String(i + k) } })),
      );
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
