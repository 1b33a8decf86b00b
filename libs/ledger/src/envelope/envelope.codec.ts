import { type EventRegistry, type ParseOptions } from '../events/event-registry';
import { eventRegistry } from '../events/ledger-events';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import { canonicalJson } from './canonical-json.util';
import type { EventEnvelope } from './event-envelope';

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
