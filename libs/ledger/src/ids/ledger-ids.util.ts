import { createHash } from 'node:crypto';

import { LedgerErrorCode, LedgerException } from '../ledger.exception';

/**
 * Deterministic ids. Every id is the sha256 hex (64 lowercase chars) of its parts joined with `|`. Parts that are
 * addresses, assets or nonces are lowercased first, so a checksummed and a lowercase spelling give the same id.
 * No part may be empty, and no part but the last may contain `|` (that would let two different inputs collide).
 */
export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

function hashParts(what: string, parts: readonly string[]): string {
  parts.forEach((part, i) => {
    if (typeof part !== 'string' || part.length === 0 || (i < parts.length - 1 && part.includes('|'))) {
      throw new LedgerException(
        LedgerErrorCode.INVALID_ID_INPUT,
        `${what}: every part must be a non-empty string, and only the last may contain '|'`,
      );
    }
  });
  return sha256Hex(parts.join('|'));
}

export interface PaymentIdInput {
  /** CAIP-2, e.g. `eip155:8453`. */
  network: string;
  /** Token contract address. */
  asset: string;
  /** The authorizing wallet (`authorization.from` / `permit2Authorization.from`). */
  payer: string;
  /** EIP-3009 bytes32 nonce (hex), or the Permit2 uint256 nonce as a decimal string. */
  nonce: string;
}

/** sha256(`network|asset|payer|nonce`), asset/payer/nonce lowercased. One authorization → one payment id. */
export function paymentId(input: PaymentIdInput): string {
  return hashParts('paymentId', [
    input.network,
    input.asset.toLowerCase(),
    input.payer.toLowerCase(),
    input.nonce.toLowerCase(),
  ]);
}

/** sha256(`streamId|type|sequence`): a retried append of the same fact carries the same id. */
export function eventId(streamId: string, type: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new LedgerException(LedgerErrorCode.INVALID_ID_INPUT, `eventId: sequence must be a positive integer`);
  }
  return hashParts('eventId', [streamId, type, String(sequence)]);
}

/** sha256(`refund|paymentId|idempotencyKey`): the same refund request, retried, names the same refund. */
export function refundId(input: { paymentId: string; idempotencyKey: string }): string {
  return hashParts('refundId', ['refund', input.paymentId, input.idempotencyKey]);
}

/**
 * Idempotency key of the payout refund of a lost dispute: `dispute:<disputeId>:payout` for the one requested
 * automatically with `dispute.lost`, `dispute:<disputeId>:payout:<attempt>` for a retry after a failed payout.
 */
export function disputePayoutKey(disputeId: string, attempt = 1): string {
  return attempt === 1 ? `dispute:${disputeId}:payout` : `dispute:${disputeId}:payout:${attempt}`;
}

/** sha256(`dispute|paymentId|idempotencyKey`). */
export function disputeId(input: { paymentId: string; idempotencyKey: string }): string {
  return hashParts('disputeId', ['dispute', input.paymentId, input.idempotencyKey]);
}

/**
 * sha256(`session|paymentId|wallet|nonce`), wallet and nonce lowercased. `nonce` is the single-use SIWx nonce the
 * wallet signed, so one signed proof yields exactly one session however often the exchange is retried.
 */
export function sessionId(input: { paymentId: string; wallet: string; nonce: string }): string {
  return hashParts('sessionId', ['session', input.paymentId, input.wallet.toLowerCase(), input.nonce.toLowerCase()]);
}

/** Stream of a SIWx nonce (`session.nonce_issued` / `session.nonce_consumed`): sha256(`nonce|<nonce>`). */
export function nonceStreamId(nonce: string): string {
  return hashParts('nonceStreamId', ['nonce', nonce.toLowerCase()]);
}

/** Stream of a discovery resource (`discovery.resource_updated`): sha256(`discovery|<resourceUrl>`). */
export function discoveryStreamId(resourceUrl: string): string {
  return hashParts('discoveryStreamId', ['discovery', resourceUrl]);
}

/**
 * Stream of a `payment.verification_failed` whose payload was too broken to derive a payment id: sha256 of the raw
 * payload exactly as received (the decoded PAYMENT-SIGNATURE JSON text, or its bytes).
 */
export function rawPayloadStreamId(rawPayload: string | Buffer): string {
  return sha256Hex(rawPayload);
}
