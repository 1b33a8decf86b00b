// Public API of the ledger core: event contracts, envelope codec, deterministic ids, aggregates, postings. Pure, no I/O.
export * from './envelope/event-envelope';
export { canonicalJson } from './envelope/canonical-json.util';
export { decodeEnvelope, encodeEnvelope } from './envelope/envelope.codec';
export { LedgerErrorCode, LedgerException } from './ledger.exception';
export {
  discoveryStreamId,
  disputeId,
  disputePayoutKey,
  eventId,
  nonceStreamId,
  paymentId,
  rawPayloadStreamId,
  refundId,
  sessionId,
  sha256Hex,
  type PaymentIdInput,
} from './ids/ledger-ids.util';

export {
  EventRegistry,
  type EventDefinition,
  type EventVersionDefinition,
  type ParseOptions,
  type StreamType,
} from './events/event-registry';
export {
  createLedgerEventRegistry,
  eventRegistry,
  isEventType,
  latestEventSchemas,
  parseEnvelope,
  type EventDataMap,
  type EventType,
  type TypedEnvelope,
} from './events/ledger-events';
export type * from './events/payment.events';
export type * from './events/refund.events';
export type * from './events/dispute.events';
export type * from './events/session.events';
export type * from './events/discovery.events';

export { Clock } from './stream/clock.port';
export { EventFactory, type EventContext, type EventDraft, type StreamPosition } from './stream/event-factory';

export { replay, type Aggregate } from './aggregates/aggregate';
export type { DecisionContext } from './aggregates/decision-context';
export { decidePayment, evolvePayment, paymentAggregate } from './aggregates/payment/payment.aggregate';
export type { PaymentCommand, PaymentCommandType } from './aggregates/payment/payment.commands';
export {
  initialPaymentState,
  refundableAmount,
  type DisputeEntity,
  type DisputeStatus,
  type PaymentFacts,
  type PaymentState,
  type PaymentStatus,
  type RefundEntity,
  type RefundStatus,
  type SettlementFacts,
} from './aggregates/payment/payment.state';
export { decideSession, evolveSession, sessionAggregate } from './aggregates/session/session.aggregate';
export type { SessionCommand } from './aggregates/session/session.commands';
export { initialSessionState, type SessionState, type SessionStatus } from './aggregates/session/session.state';
export {
  decideSiwxNonce,
  evolveSiwxNonce,
  initialSiwxNonceState,
  siwxNonceAggregate,
  type SiwxNonceCommand,
  type SiwxNonceState,
} from './aggregates/session/siwx-nonce.aggregate';

export { accounts, assetKey, nativeAssetKey, type Posting } from './postings/posting';
export { postingsFor } from './postings/postings';
export { Balances, assertBalanced, type AccountBalance } from './postings/balances';
export { LedgerJournal } from './postings/journal';
