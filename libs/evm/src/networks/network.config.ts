import type { Address } from 'viem';
import type { SignerKey } from './signer-key';

export interface AssetConfig {
  address: Address;
  /** EIP-712 domain name and version (what `requirements.extra.name/version` must say). */
  name: string;
  version: string;
  decimals: number;
  symbol: string;
}

export interface GasLimits {
  /** Gas limit of a `transferWithAuthorization` settlement. */
  transferWithAuthorization: bigint;
  /** Gas limit of an ERC-6492 factory deployment before a counterfactual wallet's first payment. */
  deployment: bigint;
  /** Gas limit of an x402ExactPermit2Proxy `settle` (Permit2 payments); default 300,000 when absent. */
  permit2Settle?: bigint;
}

/** One EVM network, validated and with defaults applied. */
export interface NetworkConfig {
  /** CAIP-2 id, `eip155:<chainId>`. */
  network: `eip155:${number}`;
  chainId: number;
  displayName: string;
  /** V1 name of this network (`base-sepolia`), when V1 payloads should be accepted for it under another name. */
  v1Name: string | null;
  /** JSON-RPC URLs in failover order. */
  rpcUrls: string[];
  assets: AssetConfig[];
  /** Blocks to wait after the one including a settlement before it counts as settled (1 = included). */
  confirmations: number;
  gasLimits: GasLimits;
  feeModel: 'eip1559' | 'legacy';
  signerKeys: SignerKey[];
  /** ERC-6492 factories the facilitator may call to deploy counterfactual wallets (default: none). */
  eip6492AllowedFactories: Address[];
  /** How long /settle waits for the receipt before answering `settlement_pending`. */
  receiptTimeoutMs: number;
  receiptPollMs: number;
  rpcTimeoutMs: number;
}
