import type { EventEnvelope } from '@x402-ledger/ledger';
import { EventLogErrorCode, EventLogException } from './event-log.exception';

/**
 * The wire form of an envelope on the log: canonical JSON (keys sorted by UTF-16 code units at every depth, as in
 * RFC 8785; `undefined` members dropped) in UTF-8, plus three headers (event id, type, version) so that brokers' tools
 * and consumers can route and deduplicate without parsing the value. The stream id is the record key, not a header.
 *
 * This is the ONLY place the event-log adapters serialize envelopes for the wire. It gives the same bytes as the
 * ledger's `encodeEnvelope` (envelope-codec.spec checks it) without that one's contract validation: the log carries
 * envelopes of any type and version, and the ledger validates when it reads.
 */

export const EVENT_HEADER = {
  id: 'x402-event-id',
  type: 'x402-event-type',
  version: 'x402-event-version',
} as const;

function sortDeep(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortDeep);
  const source = value as Record<string, unknown>;
  if (typeof (source as { toJSON?: unknown }).toJSON === 'function') return value; // Date & co: JSON.stringify decides
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) out[key] = sortDeep(source[key]);
  return out;
}

/** Canonical JSON bytes of an envelope (same envelope → same bytes). */
export function encodeEnvelope(envelope: EventEnvelope): Buffer {
  // Top-level members in sorted order, written out for speed; `data` is sorted recursively.
  const ordered = {
    causationId: envelope.causationId,
    correlationId: envelope.correlationId,
    data: sortDeep(envelope.data),
    id: envelope.id,
    occurredAt: envelope.occurredAt,
    producer: envelope.producer,
    recordedAt: envelope.recordedAt,
    sequence: envelope.sequence,
    streamId: envelope.streamId,
    streamType: envelope.streamType,
    tenant: envelope.tenant,
    type: envelope.type,
    version: envelope.version,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

/** Parses the bytes written by encodeEnvelope. Checks the shape the log relies on; the ledger validates `data`. */
export function decodeEnvelope(bytes: Buffer | Uint8Array): EventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new EventLogException(EventLogErrorCode.CORRUPT_RECORD, 'Event record is not valid JSON', { cause: error });
  }
  const problem = envelopeProblem(parsed);
  if (problem !== null) throw new EventLogException(EventLogErrorCode.CORRUPT_RECORD, `Event record: ${problem}`);
  return parsed as EventEnvelope;
}

/** Header values carried next to the value (Kafka record headers). */
export function eventHeaders(envelope: EventEnvelope): Record<string, string> {
  return {
    [EVENT_HEADER.id]: envelope.id,
    [EVENT_HEADER.type]: envelope.type,
    [EVENT_HEADER.version]: String(envelope.version),
  };
}

const EVENT_ID = /^[0-9a-f]{64}$/;

/**
 * What the log itself needs from an envelope (null when fine): a 64-hex id, a non-empty streamId (partition key),
 * a type, a positive integer version and sequence, and an object `data`. Full validation is the ledger's job.
 */
export function envelopeProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return 'not an object';
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || !EVENT_ID.test(e.id)) return 'id must be 64 lowercase hex characters';
  if (typeof e.streamId !== 'string' || e.streamId.length === 0) return 'streamId must be a non-empty string';
  if (typeof e.type !== 'string' || e.type.length === 0) return 'type must be a non-empty string';
  if (!Number.isSafeInteger(e.version) || (e.version as number) < 1) return 'version must be a positive integer';
  if (!Number.isSafeInteger(e.sequence) || (e.sequence as number) < 1) return 'sequence must be a positive integer';
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) return 'data must be an object';
  return null;
}
