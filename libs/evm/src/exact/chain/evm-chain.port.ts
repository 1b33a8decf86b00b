import type { Address, Hash, Hex } from 'viem';
import type { Permit2ProbeCheck, Permit2ProbeResult } from '../permit2/permit2-probe';
import type { Eip3009ProbeCheck, Eip3009ProbeResult } from '../probe/eip3009-probe.codec';

export interface ChainLog {
  address: Address;
  topics: readonly Hex[];
  data: Hex;
  logIndex: number;
}

export interface ChainReceipt {
  transactionHash: Hash;
  status: 'success' | 'reverted';
  blockNumber: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  from: Address;
  to: Address | null;
  logs: readonly ChainLog[];
}

export type FeeQuote =
  { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 'legacy'; gasPrice: bigint };

/**
 * One EVM network as the exact scheme needs it. Every side effect on a chain goes through this port, so unit tests
 * replace it with a fake and integration tests use the real viem adapter against the Hardhat dev chain.
 */
export abstract class EvmChain {
  abstract readonly network: string;
  abstract readonly chainId: number;

  /** All chain facts one EIP-3009 verification needs, answered in (a share of) one `eth_call`. */
  abstract probeEip3009(check: Eip3009ProbeCheck): Promise<Eip3009ProbeResult>;

  /** All chain facts one Permit2 verification needs (reads, signature check and the simulated proxy settle). */
  abstract probePermit2(check: Permit2ProbeCheck): Promise<Permit2ProbeResult>;

  /** Broadcasts a signed transaction; resolves to its hash as the node reports it. */
  abstract sendRawTransaction(raw: Hex): Promise<Hash>;

  /** The receipt, or null while the transaction is not mined (or unknown). */
  abstract getTransactionReceipt(hash: Hash): Promise<ChainReceipt | null>;

  /** Whether the node knows the transaction (mempool or mined). */
  abstract hasTransaction(hash: Hash): Promise<boolean>;

  abstract getBlockTimestamp(blockNumber: bigint): Promise<bigint>;

  abstract getBlockNumber(): Promise<bigint>;

  /** The account's transaction count at `pending` (next usable nonce) or `latest` (mined). */
  abstract getTransactionCount(address: Address, blockTag: 'pending' | 'latest'): Promise<number>;

  abstract estimateFees(): Promise<FeeQuote>;

  /**
   * The hash of the transaction that consumed an EIP-3009 authorization (`AuthorizationUsed(authorizer, nonce)` log
   * of `token`), or null when none is found from `fromBlock` on.
   */
  abstract findAuthorizationUsed(
    token: Address,
    authorizer: Address,
    nonce: Hex,
    fromBlock?: bigint,
  ): Promise<Hash | null>;
}

/** The configured networks' chains, by CAIP-2 id. */
export abstract class EvmChains {
  abstract get(network: string): EvmChain | undefined;
  abstract list(): readonly EvmChain[];
}
