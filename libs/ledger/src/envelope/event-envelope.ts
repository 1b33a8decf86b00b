import { z } from 'zod';

import { timestampSchema } from './timestamp.schema';

/**
 * The envelope every fact on the log travels in. It is the contract between producers (facilitator, sessions,
 * refund/dispute workflows) and consumers (projector, webhooks, state stores).
 *
 * - `id` is deterministic: sha256(streamId | type | sequence) as 64 hex chars, so a retried append carries the
 *   same id and every consumer can deduplicate by it.
 * - `streamId` is the partition key and the unit of ordering and single-writer ownership. Payments own their
 *   refunds and disputes, so refund/dispute events live on their payment's stream.
 * - `sequence` is 1-based and gap-free within a stream.
 * - `data` is validated against the registered schema for (`type`, `version`); the envelope itself is strict.
 * - amounts inside `data` are atomic-unit integers as decimal strings; never floats.
 * - `occurredAt` is when the fact happened, `recordedAt` when it was put on the log; both ISO UTC with ms.
 * - bytes on the log are `encodeEnvelope(envelope)`: canonical JSON (sorted keys), so a retry is byte-identical.
 */
export const eventEnvelopeSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  version: z.number().int().positive(),
  streamType: z.enum(['payment', 'session', 'discovery', 'tenant', 'system']),
  streamId: z.string().min(1).max(200),
  sequence: z.number().int().positive(),
  occurredAt: timestampSchema,
  recordedAt: timestampSchema,
  tenant: z.string().min(1).max(100),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).nullable(),
  producer: z.string().min(1).max(100),
  data: z.record(z.unknown()),
});

export type EventEnvelope<TData = Record<string, unknown>> = Omit<z.infer<typeof eventEnvelopeSchema>, 'data'> & {
  data: TData;
};
