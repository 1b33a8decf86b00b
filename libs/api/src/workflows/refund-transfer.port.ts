/**
 * Moves a refund on chain (from the provider's payTo wallet or a refund hot wallet back to the payer). Bound by the
 * composition root to the evm lib; without a binding, executeRefund answers NOT_AVAILABLE.
 */
export abstract class RefundTransfer {
  abstract send(input: {
    paymentId: string;
    refundId: string;
    network: string;
    asset: string;
    from: string;
    to: string;
    amount: string;
  }): Promise<{ txHash: string; method: 'authorization' | 'hot_wallet' }>;

  /** Waits for the transaction's receipt. */
  abstract confirm(input: {
    network: string;
    txHash: string;
  }): Promise<{ success: true; blockNumber: string } | { success: false; reason: string }>;
}
