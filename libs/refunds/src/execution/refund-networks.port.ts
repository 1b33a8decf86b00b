import type { AssetConfig, EvmChain, GasLimits, NetworkConfig, SignerPool } from '@x402-ledger/evm';

/** What refund execution needs on one EVM network. */
export interface RefundNetwork {
  network: string;
  chainId: number;
  chain: EvmChain;
  /**
   * The facilitator's signer pool of this network. It MUST be the very instance the facilitator settles with: each
   * signer keeps its nonce locally, and two pools over one key would hand out the same nonce twice.
   */
  signers: SignerPool;
  assets: readonly AssetConfig[];
  gasLimits: GasLimits;
}

/** The networks refunds can execute on, by CAIP-2 id. */
export abstract class RefundNetworks {
  abstract get(network: string): RefundNetwork | undefined;
}

export class StaticRefundNetworks extends RefundNetworks {
  private readonly byId: Map<string, RefundNetwork>;

  constructor(networks: readonly RefundNetwork[]) {
    super();
    this.byId = new Map(networks.map((n) => [n.network, n]));
  }

  get(network: string): RefundNetwork | undefined {
    return this.byId.get(network);
  }
}

/** The shape of the facilitator's ExactEvmNetworks that refunds read (chain, signer pool and config per network). */
export interface SettlementNetworksLike {
  get(network: string): { config: NetworkConfig; chain: EvmChain; signers: SignerPool } | undefined;
}

/**
 * Adapts the facilitator's networks (so refunds share its chain adapters and signer pools):
 * `{ provide: RefundNetworks, inject: [ExactEvmNetworks], useFactory: refundNetworksFrom }`.
 */
export function refundNetworksFrom(networks: SettlementNetworksLike): RefundNetworks {
  return new (class extends RefundNetworks {
    get(network: string): RefundNetwork | undefined {
      const n = networks.get(network);
      if (!n) return undefined;
      return {
        network: n.config.network,
        chainId: n.config.chainId,
        chain: n.chain,
        signers: n.signers,
        assets: n.config.assets,
        gasLimits: n.config.gasLimits,
      };
    }
  })();
}
