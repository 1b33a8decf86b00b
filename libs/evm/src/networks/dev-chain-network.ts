import type { DevChain } from '../dev-chain/dev-chain';
import type { NetworkConfig } from './network.config';
import { SignerKey } from './signer-key';

/** The embedded dev chain as a configured network: its RPC URL, TestUSDC, and its funded facilitator signers. */
export function devChainNetwork(dev: DevChain, overrides: Partial<NetworkConfig> = {}): NetworkConfig {
  return {
    network: dev.network,
    chainId: dev.chainId,
    displayName: 'x402 ledger dev chain',
    v1Name: 'hardhat',
    rpcUrls: [dev.rpcUrl],
    assets: [
      {
        address: dev.token.address,
        name: dev.token.name,
        version: dev.token.version,
        decimals: dev.token.decimals,
        symbol: dev.token.symbol,
      },
    ],
    confirmations: 1,
    gasLimits: { transferWithAuthorization: 200_000n, deployment: 1_500_000n },
    feeModel: 'eip1559',
    signerKeys: dev.facilitatorSigners.map((a) => SignerKey.parse(a.privateKey)!),
    eip6492AllowedFactories: [],
    receiptTimeoutMs: 30_000,
    receiptPollMs: 20,
    rpcTimeoutMs: 10_000,
    ...overrides,
  };
}
