import { registerEnumType } from '@nestjs/graphql';

export enum PaymentStatus {
  VERIFIED = 'verified',
  VERIFICATION_FAILED = 'verification_failed',
  SETTLEMENT_SUBMITTED = 'settlement_submitted',
  SETTLED = 'settled',
  SETTLEMENT_FAILED = 'settlement_failed',
  PARTIALLY_REFUNDED = 'partially_refunded',
  REFUNDED = 'refunded',
  DISPUTED = 'disputed',
}
registerEnumType(PaymentStatus, {
  name: 'PaymentStatus',
  description: 'Lifecycle of a payment. After settlement the status is derived from its refunds and disputes.',
});

export enum PaymentOrder {
  CREATED_AT = 'created_at',
  SETTLED_AT = 'settled_at',
}
registerEnumType(PaymentOrder, {
  name: 'PaymentOrder',
  description: 'Newest first. SETTLED_AT lists settled payments only and is served from the settlement time index.',
  valuesMap: {
    CREATED_AT: { description: 'By the time the payment was first seen (verified or failed), then id.' },
    SETTLED_AT: { description: 'By settlement time, then settlement event id. Settled payments only.' },
  },
});

export enum RefundStatus {
  REQUESTED = 'requested',
  APPROVED = 'approved',
  SUBMITTED = 'submitted',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELED = 'canceled',
}
registerEnumType(RefundStatus, { name: 'RefundStatus' });

export enum DisputeStatus {
  NEEDS_RESPONSE = 'needs_response',
  UNDER_REVIEW = 'under_review',
  WON = 'won',
  LOST = 'lost',
  WITHDRAWN = 'withdrawn',
}
registerEnumType(DisputeStatus, {
  name: 'DisputeStatus',
  description: 'WON: the provider wins. LOST: the payer wins and is refunded.',
});

export enum DisputeReason {
  NOT_RECEIVED = 'not_received',
  NOT_AS_DESCRIBED = 'not_as_described',
  DUPLICATE = 'duplicate',
  FRAUDULENT = 'fraudulent',
  UNAUTHORIZED = 'unauthorized',
  OTHER = 'other',
}
registerEnumType(DisputeReason, { name: 'DisputeReason' });

export enum DisputeOrder {
  OPENED_AT = 'opened',
  RESPOND_BY = 'deadline',
}
registerEnumType(DisputeOrder, {
  name: 'DisputeOrder',
  valuesMap: {
    OPENED_AT: { description: 'Newest first.' },
    RESPOND_BY: { description: 'Earliest answer deadline first.' },
  },
});

export enum DisputeOutcome {
  WON = 'won',
  LOST = 'lost',
}
registerEnumType(DisputeOutcome, {
  name: 'DisputeOutcome',
  description: 'WON: the provider wins. LOST: the payer wins.',
});

export enum SessionStatus {
  ACTIVE = 'active',
  REVOKED = 'revoked',
  EXPIRED = 'expired',
}
registerEnumType(SessionStatus, { name: 'SessionStatus' });

export enum RevenueInterval {
  HOUR = 'hour',
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
}
registerEnumType(RevenueInterval, { name: 'RevenueInterval' });

export enum RevenueGroupBy {
  NONE = 'none',
  PAY_TO = 'pay_to',
  RESOURCE = 'resource',
}
registerEnumType(RevenueGroupBy, {
  name: 'RevenueGroupBy',
  description: 'Series are always split by network and asset; this adds one more dimension.',
});

export enum FailureStage {
  VERIFICATION = 'verification',
  SETTLEMENT = 'settlement',
}
registerEnumType(FailureStage, { name: 'FailureStage' });

export enum PrincipalRole {
  ADMIN = 'admin',
  PROVIDER = 'provider',
  PAYER = 'payer',
}
registerEnumType(PrincipalRole, { name: 'PrincipalRole' });

export enum WalletRole {
  PROVIDER = 'provider',
  PAYER = 'payer',
}
registerEnumType(WalletRole, {
  name: 'WalletRole',
  valuesMap: {
    PROVIDER: { description: 'Sign in with a payTo address: see the payments paid to it.' },
    PAYER: { description: 'Sign in with a paying wallet: see its own payments and dispute them.' },
  },
});

/** Codes of userErrors returned by mutations (the domain refused the command). */
export enum MutationErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  FORBIDDEN = 'FORBIDDEN',
  INVALID_INPUT = 'INVALID_INPUT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  TERMINAL_STATE = 'TERMINAL_STATE',
  NOT_SETTLED = 'NOT_SETTLED',
  REFUND_EXCEEDS_SETTLED = 'REFUND_EXCEEDS_SETTLED',
  REFUND_IN_FLIGHT = 'REFUND_IN_FLIGHT',
  ALREADY_REFUNDED = 'ALREADY_REFUNDED',
  DISPUTE_OPEN = 'DISPUTE_OPEN',
  ALREADY_DISPUTED = 'ALREADY_DISPUTED',
  DISPUTE_PAYOUT_PENDING = 'DISPUTE_PAYOUT_PENDING',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  EXECUTION_FAILED = 'EXECUTION_FAILED',
  NOT_AVAILABLE = 'NOT_AVAILABLE',
}
registerEnumType(MutationErrorCode, {
  name: 'MutationErrorCode',
  description:
    'Why a refund/dispute command was refused. Retrying with the same idempotency key gives the same answer.',
});
