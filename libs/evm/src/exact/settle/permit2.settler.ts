import { EvmReason } from '@x402-ledger/protocol';
import type { Permit2Facts } from '../permit2/permit2.verifier';
import { Permit2Reason } from '../permit2/permit2.verifier';
import type { Eip3009Settler, SubmitResult } from './eip3009.settler';
import type { SignedSettlementTx } from './signed-tx.store';

/** Gas for `x402ExactPermit2Proxy.settle` when the network config names none (measured ~95k on the dev chain). */
export const DEFAULT_PERMIT2_SETTLE_GAS = 300_000n;

/**
 * The SDK's mapSettleError for Permit2: the proxy's and Permit2's custom errors in a rejected broadcast's text
 * mapped to their reason codes (order as in the SDK: Permit2612AmountMismatch before InvalidAmount).
 */
export function reasonFromPermit2Error(message: string): string {
  if (message.includes('Permit2612AmountMismatch')) return 'permit2_2612_amount_mismatch';
  if (message.includes('InvalidAmount')) return Permit2Reason.InvalidAmount;
  if (message.includes('InvalidDestination')) return Permit2Reason.InvalidDestination;
  if (message.includes('InvalidOwner')) return Permit2Reason.InvalidOwner;
  if (message.includes('PaymentTooEarly')) return Permit2Reason.PaymentTooEarly;
  if (message.includes('InvalidSignature') || message.includes('SignatureExpired')) {
    return Permit2Reason.InvalidSignature;
  }
  if (message.includes('InvalidNonce')) return Permit2Reason.InvalidNonce;
  return EvmReason.TransactionFailed;
}

/**
 * Settles verified Permit2 payments on one chain by calling `x402ExactPermit2Proxy.settle(permit, owner, witness,
 * signature)` — through the same signer pool, signed-transaction store (persisted before broadcast) and receipt
 * handling as EIP-3009 (`Eip3009Settler.broadcastCall` / `awaitOutcome`): the proxy's Permit2 transfer emits the
 * token's Transfer(owner, witness.to, amount), which is what the receipt check looks for.
 */
export class Permit2Settler {
  constructor(
    private readonly base: Eip3009Settler,
    private readonly gas: bigint = DEFAULT_PERMIT2_SETTLE_GAS,
  ) {}

  submit(paymentId: string, facts: Permit2Facts, context: SignedSettlementTx['context'] = {}): Promise<SubmitResult> {
    return this.base.broadcastCall(
      this.base.signers.next(),
      paymentId,
      { asset: facts.asset, from: facts.from, to: facts.to, value: facts.value },
      context,
      'transfer',
      { to: facts.proxy, data: facts.settleCalldata, gas: this.gas },
      reasonFromPermit2Error,
    );
  }
}
