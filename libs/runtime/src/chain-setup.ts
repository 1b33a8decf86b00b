import type { AppConfig } from '@x402-ledger/config';
import {
  type DevChain,
  type NetworkConfig,
  devChainNetwork,
  loadNetworksFile,
  networksFromEnv,
  startDevChain,
} from '@x402-ledger/evm';

export interface ChainSetup {
  /** The embedded dev chain, when no real chain is configured (dev mode); close it on shutdown. */
  devChain: DevChain | undefined;
  networks: NetworkConfig[];
}

/**
 * Resolves the app's networks from its config: the embedded dev chain (started here), a NETWORKS_FILE, or the
 * RPC_URL shortcut. Signer keys come from FACILITATOR_PRIVATE_KEYS / FACILITATOR_KEYS_FILE (dev chain: its funded
 * dev signers). Invalid files or variables throw one exception listing every problem.
 */
export async function setupChain(config: AppConfig, env: NodeJS.ProcessEnv = process.env): Promise<ChainSetup> {
  switch (config.chain.kind) {
    case 'none':
      return { devChain: undefined, networks: [] };
    case 'dev': {
      const devChain = await startDevChain({ rpcPort: config.chain.rpcPort });
      return { devChain, networks: [devChainNetwork(devChain)] };
    }
    case 'networks-file':
      return {
        devChain: undefined,
        networks: loadNetworksFile(config.chain.file, { defaultSignerKeys: config.facilitatorPrivateKeys, env }),
      };
    case 'rpc':
      return { devChain: undefined, networks: networksFromEnv(env, config.facilitatorPrivateKeys) };
  }
}
