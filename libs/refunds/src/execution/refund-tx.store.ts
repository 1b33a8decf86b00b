import type { Address, Hash, Hex } from 'viem';

/** A refund transaction as signed, kept durably BEFORE its hash goes on the log and BEFORE it is broadcast. */
export interface SignedRefundTx {
  refundId: string;
  paymentId: string;
  network: string;
  method: 'authorization' | 'hot_wallet';
  signer: Address;
  nonce: number;
  hash: Hash;
  raw: Hex;
  /** What the transfer must move (checked against the receipt's Transfer log). */
  asset: Address;
  from: Address;
  to: Address;
  value: string;
  signedAt: string;
  /** True once the node refused it outright: it is never rebroadcast (its nonce goes to the next transaction). */
  discarded: boolean;
}

/**
 * Durable store of signed refund transactions (local state; the log carries only the hash). Lets the confirmation
 * reconciler rebroadcast the very same bytes after a crash, never sign a second transfer.
 */
export abstract class RefundTxStore {
  /** Resolves once the record is durable. */
  abstract save(tx: SignedRefundTx): Promise<void>;
  abstract discard(hash: Hash): Promise<void>;
  abstract get(hash: Hash): SignedRefundTx | undefined;
  abstract close(): Promise<void>;
}

export class InMemoryRefundTxStore extends RefundTxStore {
  private readonly records = new Map<string, SignedRefundTx>();

  async save(tx: SignedRefundTx): Promise<void> {
    this.records.set(tx.hash.toLowerCase(), { ...tx });
  }

  async discard(hash: Hash): Promise<void> {
    const tx = this.records.get(hash.toLowerCase());
    if (tx) tx.discarded = true;
  }

  get(hash: Hash): SignedRefundTx | undefined {
    return this.records.get(hash.toLowerCase());
  }

  async close(): Promise<void> {}
}
