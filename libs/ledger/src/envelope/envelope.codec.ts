import { type EventRegistry, type ParseOptions } from '../events/event-registry';
import { eventRegistry } from '../events/ledger-events';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import { canonicalJson } from './canonical-json.util';
import type { EventEnvelope } from './event-envelope';

/** Kafka header names carried beside every record (values are UTF-8 strings). */
export const EVENT_HEADERS = {
  id: 'x402-event-id',
  type: 'x402-event-type',
  version: 'x402-event-version',
  streamId: 'x402-stream-id',
} as const;

/**
 * Canonical bytes of an envelope: UTF-8 canonical JSON (sorted keys, no whitespace). The envelope is validated
 * against its own (type, version) contract first and is NOT upcast, so a stored old event re-encodes to its stored
 * bytes. Same envelope → identical bytes, whatever order its keys were built in.
 */
export function encodeEnvelope(envelope: EventEnvelope, registry: EventRegistry = eventRegistry): Buffer {
  const valid = registry.parseEnvelope(envelope, { upcast: false });
  return Buffer.from(canonicalJson(valid), 'utf8');
}

/** Parses bytes written by encodeEnvelope (or any JSON envelope) and validates them; upcasts unless told not to. */
export function decodeEnvelope(
  bytes: Uint8Array,
  options: ParseOptions = {},
  registry: EventRegistry = eventRegistry,
): EventEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new LedgerException(LedgerErrorCode.INVALID_EVENT, `event bytes are not JSON: ${(error as Error).message}`);
  }
  return registry.parseEnvelope(raw, options);
}

/** Kafka headers for a record: event id, type, version, stream id. The record key is the streamId. */
export function eventHeaders(envelope: EventEnvelope): Record<string, string> {
  return {
    [EVENT_HEADERS.id]: envelope.id,
    [EVENT_HEADERS.type]: envelope.type,
    [EVENT_HEADERS.version]: String(envelope.version),
    [EVENT_HEADERS.streamId]: envelope.streamId,
  };
}
