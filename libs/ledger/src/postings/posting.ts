/**
 * One leg of a double-entry posting. Exactly one of `debit`/`credit` is non-zero; both are atomic units (bigint).
 * `asset` is `${network}/${token address lowercase}` or `${network}/native` for gas.
 */
export interface Posting {
  account: string;
  asset: string;
  debit: bigint;
  credit: bigint;
}

/** Account names (addresses lowercased). Balance convention: credits − debits. */
export const accounts = {
  /** The payer's wallet: debited when it pays, credited when refunded. */
  payer: (address: string): string => `payer:${address.toLowerCase()}`,
  /** What the provider earned and keeps. */
  providerRevenue: (tenant: string, payTo: string): string => `provider:${tenant}:${payTo.toLowerCase()}:revenue`,
  /** Approved refunds not yet paid out (a hold taken from revenue). */
  providerRefundsPayable: (tenant: string, payTo: string): string =>
    `provider:${tenant}:${payTo.toLowerCase()}:refunds_payable`,
  /** Funds held while a dispute of this payment is open or lost and not yet paid out. */
  disputesHeld: (paymentId: string): string => `disputes_held:${paymentId}`,
  /** Gas the facilitator's signer spent settling (native asset). */
  facilitatorGas: (signer: string): string => `facilitator:${signer.toLowerCase()}:gas`,
  /** Where gas goes: the network (validators / burn). */
  networkFees: 'network_fees',
} as const;

export function assetKey(network: string, asset: string): string {
  return `${network}/${asset.toLowerCase()}`;
}

export function nativeAssetKey(network: string): string {
  return `${network}/native`;
}

/** A balanced transfer of `amount` from `from` (debited) to `to` (credited); nothing for a zero amount. */
export function transfer(from: string, to: string, asset: string, amount: bigint): Posting[] {
  if (amount === 0n) return [];
  return [
    { account: from, asset, debit: amount, credit: 0n },
    { account: to, asset, debit: 0n, credit: amount },
  ];
}
