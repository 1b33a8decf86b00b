import type { Transport } from 'viem';
import type { NetworkConfig } from '../../networks/network.config';
import { EvmChains, type EvmChain } from './evm-chain.port';
import { ViemEvmChain, type ViemEvmChainOptions } from './viem-evm-chain';

/** EvmChains over viem, one ViemEvmChain per configured network. */
export class ViemEvmChains extends EvmChains {
  private readonly chains = new Map<string, ViemEvmChain>();

  constructor(
    networks: readonly NetworkConfig[],
    tuning: Pick<ViemEvmChainOptions, 'probeMaxBatch' | 'probeMaxInFlight'> & {
      transports?: Record<string, Transport>;
    } = {},
  ) {
    super();
    for (const n of networks) {
      this.chains.set(
        n.network,
        new ViemEvmChain({
          network: n.network,
          chainId: n.chainId,
          rpcUrls: n.rpcUrls,
          transport: tuning.transports?.[n.network],
          rpcTimeoutMs: n.rpcTimeoutMs,
          feeModel: n.feeModel,
          probeMaxBatch: tuning.probeMaxBatch,
          probeMaxInFlight: tuning.probeMaxInFlight,
        }),
      );
    }
  }

  get(network: string): EvmChain | undefined {
    return this.chains.get(network);
  }

  list(): readonly EvmChain[] {
    return [...this.chains.values()];
  }
}
