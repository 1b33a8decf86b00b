import type { z } from 'zod';

import type { EventEnvelope } from '../envelope/event-envelope';
import { discoveryStreamId, nonceStreamId } from '../ids/ledger-ids.util';
import { discoveryResourceUpdatedV1 } from './discovery.events';
import {
  disputeDecidedV1,
  disputeEvidenceSubmittedV1,
  disputeOpenedV1,
  disputeUnderReviewV1,
  disputeWithdrawnV1,
} from './dispute.events';
import { EventRegistry, type ParseOptions, type StreamType } from './event-registry';
import {
  paymentSettledV1,
  paymentSettlementFailedV1,
  paymentSettlementSubmittedV1,
  paymentVerificationFailedV1,
  paymentVerifiedV1,
} from './payment.events';
import {
  refundApprovedV1,
  refundCanceledV1,
  refundFailedV1,
  refundRequestedV1,
  refundSubmittedV1,
  refundSucceededV1,
} from './refund.events';
import {
  sessionExpiredV1,
  sessionIssuedV1,
  sessionNonceConsumedV1,
  sessionNonceIssuedV1,
  sessionRevokedV1,
  sessionUsedV1,
} from './session.events';

/** The latest schema of every event type. A new version replaces its entry here (and gets an upcaster below). */
export const latestEventSchemas = {
  'payment.verified': paymentVerifiedV1,
  'payment.verification_failed': paymentVerificationFailedV1,
  'payment.settlement_submitted': paymentSettlementSubmittedV1,
  'payment.settled': paymentSettledV1,
  'payment.settlement_failed': paymentSettlementFailedV1,
  'refund.requested': refundRequestedV1,
  'refund.approved': refundApprovedV1,
  'refund.submitted': refundSubmittedV1,
  'refund.succeeded': refundSucceededV1,
  'refund.failed': refundFailedV1,
  'refund.canceled': refundCanceledV1,
  'dispute.opened': disputeOpenedV1,
  'dispute.evidence_submitted': disputeEvidenceSubmittedV1,
  'dispute.under_review': disputeUnderReviewV1,
  'dispute.won': disputeDecidedV1,
  'dispute.lost': disputeDecidedV1,
  'dispute.withdrawn': disputeWithdrawnV1,
  'session.issued': sessionIssuedV1,
  'session.used': sessionUsedV1,
  'session.revoked': sessionRevokedV1,
  'session.expired': sessionExpiredV1,
  'session.nonce_issued': sessionNonceIssuedV1,
  'session.nonce_consumed': sessionNonceConsumedV1,
  'discovery.resource_updated': discoveryResourceUpdatedV1,
} as const;

export type EventType = keyof typeof latestEventSchemas;
export type EventDataMap = { [K in EventType]: z.infer<(typeof latestEventSchemas)[K]> };

/** An envelope whose `type` is `T` and whose data has T's latest shape. */
export type TypedEnvelope<T extends EventType = EventType> = EventEnvelope<EventDataMap[T]> & { type: T };

/** Narrows an envelope returned by parseEnvelope/decodeEnvelope (which upcast to the latest version). */
export function isEventType<T extends EventType>(envelope: EventEnvelope, type: T): envelope is TypedEnvelope<T> {
  return envelope.type === type;
}

const byPaymentId = (data: Record<string, unknown>): string | null =>
  typeof data['paymentId'] === 'string' ? data['paymentId'] : null;
const bySessionId = (data: Record<string, unknown>): string | null => data['sessionId'] as string;

function streamOf(type: EventType): {
  streamType: StreamType;
  streamIdOf?: (data: Record<string, unknown>) => string | null;
} {
  if (type.startsWith('payment.') || type === 'refund.requested' || type === 'dispute.opened') {
    return { streamType: 'payment', streamIdOf: byPaymentId };
  }
  if (type.startsWith('refund.') || type.startsWith('dispute.')) return { streamType: 'payment' };
  if (type.startsWith('session.nonce_')) {
    return { streamType: 'session', streamIdOf: (data) => nonceStreamId(data['nonce'] as string) };
  }
  if (type.startsWith('session.')) return { streamType: 'session', streamIdOf: bySessionId };
  return { streamType: 'discovery', streamIdOf: (data) => discoveryStreamId(data['resourceUrl'] as string) };
}

/** Builds a registry holding every v1 contract of the x402 ledger. */
export function createLedgerEventRegistry(): EventRegistry {
  const registry = new EventRegistry();
  for (const type of Object.keys(latestEventSchemas) as EventType[]) {
    registry.register({ type, ...streamOf(type), versions: [{ version: 1, schema: latestEventSchemas[type] }] });
  }
  return registry;
}

/** The process-wide registry of the ledger's event contracts. */
export const eventRegistry: EventRegistry = createLedgerEventRegistry();

/**
 * Validates an unknown value as an envelope plus its data, upcasting old versions to the latest. Throws
 * LedgerException with INVALID_EVENT, UNKNOWN_EVENT_TYPE or UNKNOWN_EVENT_VERSION.
 */
export function parseEnvelope(raw: unknown, options?: ParseOptions): EventEnvelope {
  return eventRegistry.parseEnvelope(raw, options);
}
