import { EvmReason, type SettleResponse, type VerifyResponse } from '@x402-ledger/protocol';
import { SETTLED_LIKE, type PaymentLike } from './payment-status';

/** The bodies the official HTTPFacilitatorClient parses, in the SDK's own key order. */
export function verifyValid(payer: string): VerifyResponse {
  return { isValid: true, payer };
}

export function verifyInvalid(reason: string, payer: string | undefined, message?: string): VerifyResponse {
  const body: VerifyResponse = { isValid: false, invalidReason: reason };
  if (payer !== undefined) body.payer = payer;
  if (message) body.invalidMessage = message;
  return body;
}

export function settleSuccess(transaction: string, network: string, payer: string): SettleResponse {
  return { success: true, transaction, network: network as SettleResponse['network'], payer };
}

/** A failed settlement: `transaction` is always a string ("" when nothing was broadcast) and `network` is set. */
export function settleFailure(
  reason: string,
  network: string,
  payer: string | undefined,
  transaction = '',
  message?: string | null,
): SettleResponse {
  const body: SettleResponse = {
    success: false,
    errorReason: reason,
    transaction,
    network: network as SettleResponse['network'],
  };
  if (message) body.errorMessage = message;
  if (payer !== undefined) body.payer = payer;
  return body;
}

/** Why a payment in this state may not be verified or settled again, or null when it may. */
export function refusal(
  state: PaymentLike | undefined,
  nowSeconds: number,
): { reason: string; message: string; txHash: string | null } | null {
  if (!state) return null;
  const txHash = state.settlement?.txHash ?? state.submittedTxHashes.at(-1) ?? state.settlementFailure?.txHash ?? null;
  switch (state.status) {
    case 'verified':
      if (state.authorization && BigInt(state.authorization.validBefore) > BigInt(nowSeconds)) {
        return {
          reason: EvmReason.NonceAlreadyUsed,
          message: 'this payment is reserved by an earlier verification',
          txHash: null,
        };
      }
      return null;
    case 'settlement_submitted':
      return { reason: EvmReason.NonceAlreadyUsed, message: 'this payment is being settled', txHash };
    case 'settlement_failed':
      return {
        reason: state.settlementFailure?.reason ?? EvmReason.TransactionFailed,
        message: 'this payment already failed to settle',
        txHash,
      };
    default:
      if (SETTLED_LIKE.includes(state.status)) {
        return { reason: EvmReason.NonceAlreadyUsed, message: 'this payment is already settled', txHash };
      }
      return null;
  }
}
