// The ONLY file that touches Hardhat internals. hardhat is pinned to exactly 2.29.1 in package.json, so the internal
// path below is stable; if it moves on an upgrade, this is the one place to adapt. It creates the in-process EDR
// provider that a Hardhat project would create for its `hardhat` network, without a Hardhat project, config file
// or artifacts (no HardhatContext, no tasks, no telemetry).
import type { Hex } from 'viem';
import type { Eip1193Provider } from './eip1193-provider';

export interface EdrGenesisAccount {
  privateKey: Hex;
  /** Initial ETH balance in wei. */
  balance: bigint;
}

export interface EdrProviderOptions {
  chainId: number;
  /** Accounts present at genesis; their keys are also "owned" by the node (eth_sendTransaction / eth_sign work). */
  genesisAccounts: EdrGenesisAccount[];
  /** Mine one block per transaction as it arrives. */
  automine: boolean;
  /** Interval mining period in ms (0 = off). */
  intervalMs: number;
}

/** Hardhat 2.29.1's defaults for its `hardhat` network, minus anything that needs a project. */
const HARDFORK = 'osaka';
const BLOCK_GAS_LIMIT = 60_000_000;
const INITIAL_BASE_FEE_PER_GAS = 1_000_000_000;

/**
 * Creates the provider. Hardhat is loaded on the first call (about 0.2 s), so a daemon that talks to a real RPC
 * never loads it.
 */
export async function createEdrProvider(options: EdrProviderOptions): Promise<Eip1193Provider> {
  const { createHardhatNetworkProvider } = await import('hardhat/internal/hardhat-network/provider/provider.js');
  return createHardhatNetworkProvider(
    {
      hardfork: HARDFORK,
      chainId: options.chainId,
      networkId: options.chainId,
      blockGasLimit: BLOCK_GAS_LIMIT,
      initialBaseFeePerGas: INITIAL_BASE_FEE_PER_GAS,
      minGasPrice: 0n,
      automine: options.automine,
      intervalMining: options.intervalMs,
      mempoolOrder: 'priority',
      chains: new Map(),
      genesisAccounts: options.genesisAccounts.map((a) => ({ privateKey: a.privateKey, balance: a.balance })),
      allowUnlimitedContractSize: false,
      // Failing transactions and calls reject with the revert data (instead of resolving), like a real node.
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  );
}
