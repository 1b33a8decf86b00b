import type { NetworkConfig } from './network.config';

/**
 * The decimals of each configured asset, for display and analytics (`(network, asset) → decimals | null`); asset
 * addresses compare case-insensitively. Unknown pairs are null: amounts stay exact atomic units either way.
 */
export function assetDecimalsOf(networks: readonly NetworkConfig[]): (network: string, asset: string) => number | null {
  const table = new Map<string, number>();
  for (const n of networks) for (const a of n.assets) table.set(`${n.network}|${a.address.toLowerCase()}`, a.decimals);
  return (network, asset) => table.get(`${network}|${asset.toLowerCase()}`) ?? null;
}
