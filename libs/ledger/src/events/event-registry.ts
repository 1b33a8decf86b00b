import type { z } from 'zod';

import { eventEnvelopeSchema, type EventEnvelope } from '../envelope/event-envelope';
import { eventId } from '../ids/ledger-ids.util';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';

export type StreamType = EventEnvelope['streamType'];

export interface EventVersionDefinition {
  version: number;
  schema: z.ZodTypeAny;
  /** Turns valid data of this version into data of `version + 1`. Required on every version but the latest. */
  upcast?: (data: Record<string, unknown>) => Record<string, unknown>;
}

export interface EventDefinition {
  type: string;
  streamType: StreamType;
  /** The streamId an event carrying `data` (latest version) must live on, or null when the data cannot tell. */
  streamIdOf?: (data: Record<string, unknown>) => string | null;
  /** Versions 1..n, each exactly once. */
  versions: readonly EventVersionDefinition[];
}

export interface ParseOptions {
  /** Upcast old versions to the latest (default true). With false the envelope keeps its stored version. */
  upcast?: boolean;
}

interface Registered {
  definition: EventDefinition;
  byVersion: Map<number, EventVersionDefinition>;
  latest: number;
}

/**
 * Event contracts registered by name: `type` → versions → zod strictObject (+ upcaster to the next version).
 * See docs/adr/0002-event-schema-evolution.md for the evolution rule.
 */
export class EventRegistry {
  private readonly registered = new Map<string, Registered>();

  register(definition: EventDefinition): this {
    if (this.registered.has(definition.type)) {
      throw new Error(`event type ${definition.type} is already registered`);
    }
    const byVersion = new Map<number, EventVersionDefinition>();
    for (const v of definition.versions) byVersion.set(v.version, v);
    const latest = definition.versions.length;
    for (let v = 1; v <= latest; v++) {
      const entry = byVersion.get(v);
      if (!entry) throw new Error(`event type ${definition.type}: versions must be 1..${latest} without gaps`);
      if (v < latest && !entry.upcast) throw new Error(`event type ${definition.type}: v${v} needs an upcaster`);
    }
    this.registered.set(definition.type, { definition, byVersion, latest });
    return this;
  }

  has(type: string): boolean {
    return this.registered.has(type);
  }

  types(): string[] {
    return [...this.registered.keys()].sort();
  }

  latestVersion(type: string): number {
    return this.get(type).latest;
  }

  streamTypeOf(type: string): StreamType {
    return this.get(type).definition.streamType;
  }

  /**
   * Validates `data` against (`type`, `version`) and, unless `upcast` is false, upcasts it to the latest version
   * (validating the result against the latest schema). Throws INVALID_EVENT / UNKNOWN_EVENT_TYPE / UNKNOWN_EVENT_VERSION.
   */
  parseData(
    type: string,
    version: number,
    data: unknown,
    options: ParseOptions = {},
  ): { version: number; data: Record<string, unknown> } {
    const entry = this.get(type);
    const versionDef = entry.byVersion.get(version);
    if (!versionDef) {
      throw new LedgerException(
        LedgerErrorCode.UNKNOWN_EVENT_VERSION,
        `${type} has no version ${version} (latest is ${entry.latest})`,
      );
    }
    let current = validate(versionDef.schema, data, `${type} v${version}`);
    if (options.upcast === false || version === entry.latest) return { version, data: current };
    for (let v = version; v < entry.latest; v++) {
      const next = (entry.byVersion.get(v) as EventVersionDefinition).upcast as NonNullable<
        EventVersionDefinition['upcast']
      >;
      current = next(current);
    }
    const latestDef = entry.byVersion.get(entry.latest) as EventVersionDefinition;
    return { version: entry.latest, data: validate(latestDef.schema, current, `${type} v${entry.latest} (upcast)`) };
  }

  /**
   * Validates an envelope and its data (upcasting old versions unless told not to), and checks the contract's
   * cross-field rules: the stream type fits the event type, the streamId fits the data, and the id is
   * eventId(streamId, type, sequence). Throws LedgerException (INVALID_EVENT, UNKNOWN_EVENT_TYPE, UNKNOWN_EVENT_VERSION).
   */
  parseEnvelope(raw: unknown, options: ParseOptions = {}): EventEnvelope {
    const parsed = eventEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      throw new LedgerException(LedgerErrorCode.INVALID_EVENT, `invalid envelope: ${describe(parsed.error)}`);
    }
    const envelope = parsed.data;
    const entry = this.get(envelope.type);
    if (entry.definition.streamType !== envelope.streamType) {
      throw new LedgerException(
        LedgerErrorCode.INVALID_EVENT,
        `${envelope.type} belongs on a ${entry.definition.streamType} stream, not ${envelope.streamType}`,
      );
    }
    const expectedId = eventId(envelope.streamId, envelope.type, envelope.sequence);
    if (envelope.id !== expectedId) {
      throw new LedgerException(
        LedgerErrorCode.INVALID_EVENT,
        `event id ${envelope.id} is not eventId(streamId, type, sequence) = ${expectedId}`,
      );
    }
    const { version, data } = this.parseData(envelope.type, envelope.version, envelope.data, options);
    const expectedStream = entry.definition.streamIdOf?.(data) ?? null;
    if (expectedStream !== null && expectedStream !== envelope.streamId) {
      throw new LedgerException(
        LedgerErrorCode.INVALID_EVENT,
        `${envelope.type} for ${expectedStream} cannot live on stream ${envelope.streamId}`,
      );
    }
    return { ...envelope, version, data };
  }

  private get(type: string): Registered {
    const entry = this.registered.get(type);
    if (!entry) throw new LedgerException(LedgerErrorCode.UNKNOWN_EVENT_TYPE, `unknown event type ${type}`);
    return entry;
  }
}

function validate(schema: z.ZodTypeAny, data: unknown, what: string): Record<string, unknown> {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new LedgerException(LedgerErrorCode.INVALID_EVENT, `invalid ${what} data: ${describe(result.error)}`);
  }
  return result.data as Record<string, unknown>;
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
