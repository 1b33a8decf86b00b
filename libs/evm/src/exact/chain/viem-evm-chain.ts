import {
  createPublicClient,
  fallback,
  http,
  parseAbiItem,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem';
import { ExactEvmErrorCode, ExactEvmException } from '../exact-evm.exception';
import { EIP3009_PROBE_RUNNER_RUNTIME } from '../probe/eip3009-probe.artifact';
import {
  decodeProbeOutput,
  decodeRunnerOutput,
  encodeProbeCall,
  encodeRunnerCall,
  PROBE_RUNNER_ADDRESS,
  type Eip3009ProbeCheck,
  type Eip3009ProbeResult,
} from '../probe/eip3009-probe.codec';
import { Batcher } from '../probe/probe-batcher';
import { EvmChain, type ChainReceipt, type FeeQuote } from './evm-chain.port';

export interface ViemEvmChainOptions {
  network: string;
  chainId: number;
  /** JSON-RPC URLs, tried in order (viem fallback transport: the next one on failure). */
  rpcUrls: readonly string[];
  /** Overrides the HTTP transport (e.g. `custom(provider)` for an in-process chain). */
  transport?: Transport;
  /** Per-request RPC timeout. */
  rpcTimeoutMs?: number;
  /** Verifications per probe call, and probe calls in flight at once. */
  probeMaxBatch?: number;
  probeMaxInFlight?: number;
  /** `eip1559` (default) or `legacy` gas pricing. */
  feeModel?: 'eip1559' | 'legacy';
  /** Multiplier (percent) applied to the estimated max fee; default 150. */
  feeBumpPercent?: number;
  /** How far back `findAuthorizationUsed` scans without a fromBlock. */
  logScanBlocks?: bigint;
}

function isTransport(error: unknown): boolean {
  let current = error as { name?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current.name === 'HttpRequestError' || current.name === 'TimeoutError' || current.name === 'AbortError')
      return true;
    current = current.cause as typeof current;
  }
  return false;
}

const AUTHORIZATION_USED = parseAbiItem('event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)');
const FEE_CACHE_MS = 2_000;

/** EvmChain over viem: HTTP JSON-RPC with batching and failover, deployless batched probes. */
export class ViemEvmChain extends EvmChain {
  readonly network: string;
  readonly chainId: number;
  readonly client: PublicClient;
  private readonly probes: Batcher<Eip3009ProbeCheck, Eip3009ProbeResult>;
  private fees: { at: number; quote: Promise<FeeQuote> } | null = null;
  /** `runner`: state-override call (default); `deployless`: CREATE-based, for nodes without state overrides. */
  private probeMode: 'runner' | 'deployless' = 'runner';

  constructor(private readonly options: ViemEvmChainOptions) {
    super();
    this.network = options.network;
    this.chainId = options.chainId;
    const timeout = options.rpcTimeoutMs ?? 10_000;
    const transport =
      options.transport ??
      (options.rpcUrls.length === 1
        ? http(options.rpcUrls[0], { batch: { wait: 0, batchSize: 200 }, timeout, retryCount: 1 })
        : fallback(
            options.rpcUrls.map((url) => http(url, { batch: { wait: 0, batchSize: 200 }, timeout, retryCount: 0 })),
            { retryCount: 1 },
          ));
    this.client = createPublicClient({ transport, batch: { multicall: false } }) as PublicClient;
    this.probes = new Batcher(
      (checks) => this.runProbes(checks),
      options.probeMaxBatch ?? 16,
      options.probeMaxInFlight ?? 4,
    );
  }

  probeEip3009(check: Eip3009ProbeCheck): Promise<Eip3009ProbeResult> {
    return this.probes.submit(check);
  }

  /** How the probe reaches the chain: state override (default) or deployless CREATE (fallback). */
  get probeTransport(): 'runner' | 'deployless' {
    return this.probeMode;
  }

  private async runProbes(checks: Eip3009ProbeCheck[], retry = true): Promise<Eip3009ProbeResult[]> {
    let results: (Eip3009ProbeResult | null)[];
    if (this.probeMode === 'runner') {
      try {
        results = await this.callRunner(checks);
      } catch (error) {
        if (isTransport(error)) throw this.unavailable('probe call failed', error);
        // A node that refuses state overrides: fall back to the deployless form, for good if that works.
        results = await this.callDeployless(checks);
        this.probeMode = 'deployless';
      }
    } else {
      results = await this.callDeployless(checks);
    }
    const missing = results.flatMap((r, i) => (r === null ? [i] : []));
    if (missing.length > 0) {
      if (!retry || checks.length === 1)
        throw this.unavailable(`probe produced no result for ${missing.length} check(s)`);
      // A probe that ran out of gas in a crowded batch gets a call of its own.
      const again = await Promise.all(missing.map((i) => this.runProbes([checks[i]], false)));
      missing.forEach((i, k) => (results[i] = again[k][0]));
    }
    return results as Eip3009ProbeResult[];
  }

  private async callRunner(checks: Eip3009ProbeCheck[]): Promise<(Eip3009ProbeResult | null)[]> {
    const { data } = await this.client.call({
      to: PROBE_RUNNER_ADDRESS,
      data: encodeRunnerCall(checks),
      stateOverride: [{ address: PROBE_RUNNER_ADDRESS, code: EIP3009_PROBE_RUNNER_RUNTIME }],
    });
    if (!data) throw new Error('probe runner returned no data');
    return decodeRunnerOutput(data, checks.length);
  }

  private async callDeployless(checks: Eip3009ProbeCheck[]): Promise<(Eip3009ProbeResult | null)[]> {
    let output: Hex | undefined;
    try {
      ({ data: output } = await this.client.call({ data: encodeProbeCall(checks) }));
    } catch (error) {
      throw this.unavailable('probe call failed', error);
    }
    if (!output) throw this.unavailable('probe call returned no data');
    return decodeProbeOutput(output, checks.length);
  }

  async sendRawTransaction(raw: Hex): Promise<Hash> {
    return this.client.request({ method: 'eth_sendRawTransaction', params: [raw] });
  }

  async getTransactionReceipt(hash: Hash): Promise<ChainReceipt | null> {
    const receipt = await this.client.request({ method: 'eth_getTransactionReceipt', params: [hash] });
    if (!receipt) return null;
    return {
      transactionHash: receipt.transactionHash,
      status: receipt.status === '0x1' ? 'success' : 'reverted',
      blockNumber: BigInt(receipt.blockNumber),
      gasUsed: BigInt(receipt.gasUsed),
      effectiveGasPrice: BigInt(receipt.effectiveGasPrice ?? '0x0'),
      from: receipt.from,
      to: receipt.to,
      logs: receipt.logs.map((l) => ({
        address: l.address,
        topics: l.topics,
        data: l.data,
        logIndex: Number(l.logIndex ?? '0x0'),
      })),
    };
  }

  async hasTransaction(hash: Hash): Promise<boolean> {
    const tx = await this.client.request({ method: 'eth_getTransactionByHash', params: [hash] });
    return tx !== null;
  }

  async getBlockTimestamp(blockNumber: bigint): Promise<bigint> {
    const block = await this.client.getBlock({ blockNumber });
    return block.timestamp;
  }

  getBlockNumber(): Promise<bigint> {
    return this.client.getBlockNumber({ cacheTime: 0 });
  }

  getTransactionCount(address: Address, blockTag: 'pending' | 'latest'): Promise<number> {
    return this.client.getTransactionCount({ address, blockTag }).catch((error: unknown) => {
      throw this.unavailable('eth_getTransactionCount failed', error);
    });
  }

  estimateFees(): Promise<FeeQuote> {
    const now = Date.now();
    if (!this.fees || now - this.fees.at > FEE_CACHE_MS) {
      const quote = this.quoteFees().catch((error: unknown) => {
        throw this.unavailable('fee estimation failed', error);
      });
      this.fees = { at: now, quote };
      quote.catch(() => (this.fees = null));
    }
    return this.fees.quote;
  }

  private async quoteFees(): Promise<FeeQuote> {
    const bump = BigInt(this.options.feeBumpPercent ?? 150);
    if (this.options.feeModel === 'legacy') {
      const gasPrice = await this.client.getGasPrice();
      return { type: 'legacy', gasPrice: (gasPrice * bump) / 100n };
    }
    const [block, priority] = await Promise.all([
      this.client.getBlock({ blockTag: 'latest' }),
      this.client.request({ method: 'eth_maxPriorityFeePerGas' }).then(BigInt, () => 1_000_000_000n),
    ]);
    const baseFee = block.baseFeePerGas ?? 0n;
    return { type: 'eip1559', maxFeePerGas: (baseFee * 2n * bump) / 100n + priority, maxPriorityFeePerGas: priority };
  }

  async findAuthorizationUsed(
    token: Address,
    authorizer: Address,
    nonce: Hex,
    fromBlock?: bigint,
  ): Promise<Hash | null> {
    const latest = await this.getBlockNumber();
    const scan = this.options.logScanBlocks ?? 100_000n;
    const start = fromBlock ?? (latest > scan ? latest - scan : 0n);
    const logs = await this.client.getLogs({
      address: token,
      event: AUTHORIZATION_USED,
      args: { authorizer, nonce },
      fromBlock: start,
      toBlock: latest,
    });
    return logs[0]?.transactionHash ?? null;
  }

  private unavailable(what: string, cause?: unknown): ExactEvmException {
    const detail = cause instanceof Error ? `: ${cause.message.split('\n')[0]}` : '';
    return new ExactEvmException(ExactEvmErrorCode.CHAIN_UNAVAILABLE, `${this.network}: ${what}${detail}`, { cause });
  }
}
