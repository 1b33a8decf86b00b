import type { Address, Hash, Hex } from 'viem';

/** A settlement transaction as signed, kept durably BEFORE it is broadcast so a restart can finish or replay it. */
export interface SignedSettlementTx {
  paymentId: string;
  network: string;
  kind: 'deployment' | 'transfer';
  signer: Address;
  nonce: number;
  hash: Hash;
  /** The signed bytes; RECORDED_ONLY_RAW for a transfer known only by its recorded hash (see recordedTransfer). */
  raw: Hex;
  /** What the transfer must move (checked against the receipt's Transfer log). */
  asset: Address;
  from: Address;
  to: Address;
  value: string;
  /** ISO time of signing. */
  signedAt: string;
  /** Whatever the caller needs to finish the payment after a restart (tenant, resource, event facts). */
  context: Record<string, string | number | null>;
}

/** `raw` of a transfer this process did not sign: nothing to rebroadcast, the receipt is read by hash. */
export const RECORDED_ONLY_RAW = '0x' as Hex;

/**
 * A transfer known only from the log (`payment.settlement_submitted` names its hash) — another process signed it, e.g.
 * the previous owner of the payment's partition. Its outcome is read from the receipt like any other (the receipt
 * gives the signer); it cannot be rebroadcast.
 */
export function recordedTransfer(input: {
  paymentId: string;
  network: string;
  hash: Hash;
  asset: Address;
  from: Address;
  to: Address;
  value: string;
}): SignedSettlementTx {
  return {
    ...input,
    kind: 'transfer',
    signer: '0x0000000000000000000000000000000000000000',
    nonce: -1,
    raw: RECORDED_ONLY_RAW,
    signedAt: new Date(0).toISOString(),
    context: {},
  };
}

/**
 * Durable store of signed settlement transactions (the facilitator's local state; the event log only carries the
 * hash). `save` resolves once the record is durable. Records stay until `resolve` marks their payment final.
 */
export abstract class SignedTxStore {
  abstract save(tx: SignedSettlementTx): Promise<void>;
  abstract forPayment(paymentId: string): Promise<SignedSettlementTx[]>;
  /** Every record whose payment is not resolved yet, in signing order. */
  abstract unresolved(): Promise<SignedSettlementTx[]>;
  abstract resolve(paymentId: string): Promise<void>;
}

/** In-memory SignedTxStore for unit tests and throwaway runs. */
export class InMemorySignedTxStore extends SignedTxStore {
  private readonly records: SignedSettlementTx[] = [];
  private readonly resolved = new Set<string>();

  async save(tx: SignedSettlementTx): Promise<void> {
    this.records.push(tx);
  }

  async forPayment(paymentId: string): Promise<SignedSettlementTx[]> {
    return this.records.filter((r) => r.paymentId === paymentId);
  }

  async unresolved(): Promise<SignedSettlementTx[]> {
    return this.records.filter((r) => !this.resolved.has(r.paymentId));
  }

  async resolve(paymentId: string): Promise<void> {
    this.resolved.add(paymentId);
  }
}
