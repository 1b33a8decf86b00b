import type { LoggedEvent } from '@x402-ledger/event-log';

import { toClickHouseTime } from './clickhouse-values.util';

/**
 * The `events_raw` row (values in RAW_COLUMNS order) of a logged envelope: the envelope verbatim and its log position.
 * `data` stays an object; the TSV encoder writes it as its JSON text into the String column.
 */
export function toRawRow(logged: LoggedEvent, projectedAt: string): unknown[] {
  const e = logged.envelope;
  return [
    e.id,
    e.type,
    e.version,
    e.streamType,
    e.streamId,
    e.sequence,
    toClickHouseTime(e.occurredAt),
    toClickHouseTime(e.recordedAt),
    e.tenant,
    e.correlationId,
    e.causationId,
    e.producer,
    e.data,
    logged.position.partition,
    logged.position.offset,
    projectedAt,
  ];
}

/** The columns of a raw row, in order. */
export const RAW_COLUMNS = [
  'event_id',
  'type',
  'version',
  'stream_type',
  'stream_id',
  'sequence',
  'occurred_at',
  'recorded_at',
  'tenant',
  'correlation_id',
  'causation_id',
  'producer',
  'data',
  'log_partition',
  'log_offset',
  'projected_at',
] as const;
