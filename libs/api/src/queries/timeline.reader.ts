import type { AnalyticsReads } from '@x402-ledger/analytics';
import { chTime, isoOrNull } from './sql.util';

export interface TimelineEventRecord {
  id: string;
  type: string;
  sequence: number;
  occurredAt: string;
  recordedAt: string;
  producer: string;
  /** The event's data as canonical JSON text. */
  data: string;
}

export interface TimelineKey {
  tenant: string;
  paymentId: string;
  /** The payment's first and last event times (bound the scan to the raw table's time index). */
  from: string;
  to: string;
}

/** A payment's events in stream order, from the raw event table, bounded by the payment's first/last event time. */
export class TimelineReader {
  constructor(private readonly client: AnalyticsReads) {}

  async byPayments(keys: readonly TimelineKey[]): Promise<Map<string, TimelineEventRecord[]>> {
    const out = new Map<string, TimelineEventRecord[]>(keys.map((k) => [k.paymentId, []]));
    if (keys.length === 0) return out;
    const from = new Date(Math.min(...keys.map((k) => Date.parse(k.from))) - 60_000);
    const to = new Date(Math.max(...keys.map((k) => Date.parse(k.to))) + 60_000);
    const rows = await this.client.query<{
      event_id: string;
      type: string;
      stream_id: string;
      sequence: number | string;
      occurred: string;
      recorded: string;
      producer: string;
      data: string;
    }>(
      `SELECT event_id, type, stream_id, sequence, toString(occurred_at) AS occurred, toString(recorded_at) AS recorded,
              producer, data
       FROM events_raw
       WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at <= {to:DateTime64(3, 'UTC')}
         AND stream_type = 'payment' AND stream_id IN {ids:Array(String)} AND tenant IN {tenants:Array(String)}
       ORDER BY stream_id, sequence
       LIMIT 1 BY event_id`,
      {
        from: chTime(from),
        to: chTime(to),
        ids: [...new Set(keys.map((k) => k.paymentId))],
        tenants: [...new Set(keys.map((k) => k.tenant))],
      },
    );
    const tenantOf = new Map(keys.map((k) => [k.paymentId, k.tenant]));
    for (const r of rows) {
      if (!tenantOf.has(r.stream_id)) continue;
      out.get(r.stream_id)?.push({
        id: r.event_id,
        type: r.type,
        sequence: Number(r.sequence),
        occurredAt: isoOrNull(r.occurred) as string,
        recordedAt: isoOrNull(r.recorded) as string,
        producer: r.producer,
        data: r.data,
      });
    }
    return out;
  }
}
