import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_PERMIT2_SETTLE_GAS,
  Eip3009Settler,
  Eip3009Verifier,
  EvmChains,
  isPermit2Payload,
  Permit2Settler,
  Permit2Verifier,
  type Eip3009VerifyOutcome,
  type Permit2VerifyOutcome,
  SignedTxStore,
  SignerPool,
  type EvmChain,
  type NetworkConfig,
} from '@x402-ledger/evm';
import { caip2ToV1Network, type FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { Clock } from '@x402-ledger/ledger';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';

/** Everything the exact scheme needs on one configured network. */
export interface ExactEvmNetwork {
  config: NetworkConfig;
  chain: EvmChain;
  verifier: Eip3009Verifier;
  permit2Verifier: Permit2Verifier;
  /** EIP-3009 settlements; also the receipt handling (awaitOutcome / replayIfLost) of every settlement. */
  settler: Eip3009Settler;
  permit2Settler: Permit2Settler;
  /** Verifies with the verifier the payload's shape calls for (`permit2Authorization` ⇒ Permit2, as the SDK routes). */
  verifyPayment(
    request: FacilitatorRequestV2,
    nowSeconds: number,
  ): Promise<Eip3009VerifyOutcome | Permit2VerifyOutcome>;
  signers: SignerPool;
  /** The V1 name V1 payloads use for this network, if any. */
  v1Name: string | null;
}

/** The configured networks, wired once at start: chain port, verifier, signer pool and settler per network. */
@Injectable()
export class ExactEvmNetworks {
  private readonly networks = new Map<string, ExactEvmNetwork>();
  readonly v1Aliases: Record<string, string> = {};

  constructor(
    @Inject(FACILITATOR_OPTIONS) options: FacilitatorOptions,
    chains: EvmChains,
    txStore: SignedTxStore,
    clock: Clock,
  ) {
    for (const config of options.networks) {
      const chain = chains.get(config.network);
      if (!chain) throw new Error(`no chain adapter for ${config.network}`);
      const signers = new SignerPool(config.signerKeys, chain);
      const v1Name = config.v1Name ?? caip2ToV1Network(config.network);
      if (config.v1Name) this.v1Aliases[config.v1Name] = config.network;
      const validBeforeSkewSeconds = options.validBeforeSkewSeconds ?? DEFAULTS.validBeforeSkewSeconds;
      const verifier = new Eip3009Verifier({
        allowedFactories: config.eip6492AllowedFactories,
        validBeforeSkewSeconds,
        simulate: true,
      });
      const permit2Verifier = new Permit2Verifier({ validBeforeSkewSeconds, simulate: true });
      const settler = new Eip3009Settler(
        chain,
        signers,
        txStore,
        {
          chainId: config.chainId,
          gasLimits: config.gasLimits,
          confirmations: config.confirmations,
          receiptPollMs: config.receiptPollMs,
        },
        () => clock.now(),
      );
      this.networks.set(config.network, {
        config,
        chain,
        signers,
        v1Name,
        verifier,
        permit2Verifier,
        settler,
        permit2Settler: new Permit2Settler(settler, config.gasLimits.permit2Settle ?? DEFAULT_PERMIT2_SETTLE_GAS),
        verifyPayment: (request, nowSeconds) =>
          isPermit2Payload(request.paymentPayload.payload)
            ? permit2Verifier.verify(request, chain, nowSeconds)
            : verifier.verify(request, chain, nowSeconds),
      });
    }
  }

  get(network: string): ExactEvmNetwork | undefined {
    return this.networks.get(network);
  }

  list(): ExactEvmNetwork[] {
    return [...this.networks.values()];
  }
}
