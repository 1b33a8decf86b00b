import {
  concatHex,
  createPublicClient,
  decodeAbiParameters,
  toFunctionSelector,
  decodeFunctionResult,
  encodeFunctionData,
  erc20Abi,
  numberToHex,
  pad,
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
import { devMulticall3Abi } from '../../contracts/dev-multicall3.abi';
import { MULTICALL3_ADDRESS } from '../../contracts/dev-multicall3.contract';
import { devPermit2Abi } from '../../contracts/dev-permit2.abi';
import {
  PERMIT2_PROBE_RUNNER_ADDRESS,
  PERMIT2_PROBE_RUNNER_ARTIFACT,
} from '../../contracts/permit2-probe-runner.contract';
import type { Permit2ProbeCall, Permit2ProbeCheck, Permit2ProbeResult } from '../permit2/permit2-probe';
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
  /**
   * How Permit2 probes reach the chain: `runner` (default: many checks per eth_call with a state override, falling
   * back to `multicall` for good on a node that refuses overrides) or `multicall` (one Multicall3 call per check).
   */
  permit2Probe?: 'runner' | 'multicall';
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
const PROBE_RESULT_SELECTOR = toFunctionSelector(
  'ProbeResult((bool,bool,(bool,bytes),(bool,bytes),(bool,bytes),(bool,bytes),(bool,bytes),(bool,bytes),(bool,bytes)))',
);
/** The runner's Result tuple (its ProbeResult error's parameter). */
const PERMIT2_PROBE_RESULT = PERMIT2_PROBE_RUNNER_ARTIFACT.abi.find(
  (x): x is Extract<(typeof PERMIT2_PROBE_RUNNER_ARTIFACT.abi)[number], { type: 'error'; name: 'ProbeResult' }> =>
    x.type === 'error' && x.name === 'ProbeResult',
)!.inputs;
/** A token's "is a contract" answer is reused this long (the SDK caches it 15 min too); only positives are cached. */
const TOKEN_CODE_CACHE_MS = 15 * 60_000;
const ECRECOVER: Address = '0x0000000000000000000000000000000000000001';
const PERMIT2_VIEW_ABI = [
  { type: 'function', name: 'PERMIT2', inputs: [], outputs: [{ type: 'address' }], stateMutability: 'view' },
] as const;
const ERC1271_ABI = [
  {
    type: 'function',
    name: 'isValidSignature',
    inputs: [{ type: 'bytes32' }, { type: 'bytes' }],
    outputs: [{ type: 'bytes4' }],
    stateMutability: 'view',
  },
] as const;

/** EvmChain over viem: HTTP JSON-RPC with batching and failover, deployless batched probes. */
export class ViemEvmChain extends EvmChain {
  readonly network: string;
  readonly chainId: number;
  readonly client: PublicClient;
  private readonly probes: Batcher<Eip3009ProbeCheck, Eip3009ProbeResult>;
  private fees: { at: number; quote: Promise<FeeQuote> } | null = null;
  private readonly tokenCode = new Map<string, number>();
  private readonly permit2Probes: Batcher<Permit2ProbeCheck, Permit2ProbeResult>;
  /** `runner`: many checks per eth_call via state override (default); `multicall`: one aggregate3 per check. */
  private permit2ProbeMode: 'runner' | 'multicall' = 'runner';
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
    this.permit2ProbeMode = options.permit2Probe ?? 'runner';
    this.permit2Probes = new Batcher(
      (checks) => this.runPermit2Probes(checks),
      options.probeMaxBatch ?? 16,
      options.probeMaxInFlight ?? 4,
    );
  }

  probeEip3009(check: Eip3009ProbeCheck): Promise<Eip3009ProbeResult> {
    return this.probes.submit(check);
  }

  /**
   * One Permit2 verification's chain facts: `eth_getCode(owner)`, `eth_getCode(token)` (positive answers cached) and ONE
   * Multicall3 `aggregate3` eth_call — proxy.PERMIT2(), balanceOf, allowance(owner, PERMIT2), nonceBitmap, the
   * ecrecover precompile, owner.isValidSignature, then the simulated proxy.settle — issued together, so the HTTP
   * transport sends them as one JSON-RPC batch. The simulation is last, so the reads see the state before it.
   * Verifications are not merged into one aggregate3: simulations would then see each other's transfers.
   */
  probePermit2(check: Permit2ProbeCheck): Promise<Permit2ProbeResult> {
    return this.permit2Probes.submit(check);
  }

  /** How Permit2 probes reach the chain: the batched runner (state override, default) or one Multicall3 per check. */
  get permit2ProbeTransport(): 'runner' | 'multicall' {
    return this.permit2ProbeMode;
  }

  private async runPermit2Probes(checks: Permit2ProbeCheck[]): Promise<Permit2ProbeResult[]> {
    if (this.permit2ProbeMode === 'runner') {
      let results: (Permit2ProbeResult | null)[] | undefined;
      try {
        results = await this.callPermit2Runner(checks);
      } catch (error) {
        if (isTransport(error)) throw this.unavailable('Permit2 probe failed', error);
        // A node that refuses state overrides: one Multicall3 call per check from now on.
        this.permit2ProbeMode = 'multicall';
      }
      if (results) {
        // A check that produced no result in a crowded batch (gas) gets a call of its own.
        return Promise.all(results.map((r, i) => r ?? this.probePermit2Multicall(checks[i])));
      }
    }
    return Promise.all(checks.map((c) => this.probePermit2Multicall(c)));
  }

  /**
   * Up to `probeMaxBatch` checks in ONE eth_call: Permit2ProbeRunner placed by a state override, each check isolated in
   * a reverting self-call (its simulated settle never leaks into the next check). Code presence, ecrecover, ERC-1271,
   * proxy presence, balance, Permit2 allowance, nonce bitmap and the simulated proxy.settle all come from that call.
   */
  private async callPermit2Runner(checks: Permit2ProbeCheck[]): Promise<(Permit2ProbeResult | null)[]> {
    const zero32 = `0x${'00'.repeat(32)}` as Hex;
    const { data } = await this.client.call({
      to: PERMIT2_PROBE_RUNNER_ADDRESS,
      data: encodeFunctionData({
        abi: PERMIT2_PROBE_RUNNER_ARTIFACT.abi,
        functionName: 'probe',
        args: [
          checks.map((c) => ({
            token: c.token,
            owner: c.owner,
            proxy: c.proxy,
            permit2: c.permit2,
            digest: c.digest,
            signature: c.signature,
            ecdsa: c.ecdsa ? 1 : 0,
            v: c.ecdsa?.v ?? 0,
            r: c.ecdsa?.r ?? zero32,
            s: c.ecdsa?.s ?? zero32,
            wordPos: c.nonce >> 8n,
            settleCalldata: c.settleCalldata ?? '0x',
          })),
        ],
      }),
      stateOverride: [{ address: PERMIT2_PROBE_RUNNER_ADDRESS, code: PERMIT2_PROBE_RUNNER_ARTIFACT.deployedBytecode }],
    });
    if (!data) throw new Error('Permit2 probe runner returned no data');
    const encoded = decodeFunctionResult({ abi: PERMIT2_PROBE_RUNNER_ARTIFACT.abi, functionName: 'probe', data });
    if (encoded.length !== checks.length) throw new Error('Permit2 probe runner returned a wrong result count');
    return encoded.map((bytes, i) => {
      if (bytes.length < 10 || bytes.slice(0, 10) !== PROBE_RESULT_SELECTOR) return null;
      const [r] = decodeAbiParameters(PERMIT2_PROBE_RESULT, `0x${bytes.slice(10)}`);
      const skipped: Permit2ProbeCall = { success: false, data: '0x' };
      return {
        ownerHasCode: r.ownerHasCode,
        tokenHasCode: r.tokenHasCode,
        proxyPermit2: r.proxyPermit2,
        balanceOf: r.balanceOf,
        allowance: r.allowance,
        nonceBitmap: r.nonceBitmap,
        ecrecover: checks[i].ecdsa ? r.ecrecover : skipped,
        erc1271: r.erc1271,
        simulation: checks[i].settleCalldata ? r.simulation : skipped,
      };
    });
  }

  /** One check as one Multicall3 aggregate3 eth_call + eth_getCode (for nodes without state overrides). */
  private async probePermit2Multicall(c: Permit2ProbeCheck): Promise<Permit2ProbeResult> {
    const none = '0x' as Hex;
    const calls = [
      {
        target: c.proxy,
        allowFailure: true,
        callData: encodeFunctionData({ abi: PERMIT2_VIEW_ABI, functionName: 'PERMIT2' }),
      },
      {
        target: c.token,
        allowFailure: true,
        callData: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [c.owner] }),
      },
      {
        target: c.token,
        allowFailure: true,
        callData: encodeFunctionData({ abi: erc20Abi, functionName: 'allowance', args: [c.owner, c.permit2] }),
      },
      {
        target: c.permit2,
        allowFailure: true,
        callData: encodeFunctionData({
          abi: devPermit2Abi,
          functionName: 'nonceBitmap',
          args: [c.owner, c.nonce >> 8n],
        }),
      },
      {
        target: c.ecdsa ? ECRECOVER : c.owner,
        allowFailure: true,
        callData: c.ecdsa
          ? concatHex([c.digest, pad(numberToHex(c.ecdsa.v), { size: 32 }), c.ecdsa.r, c.ecdsa.s])
          : none,
      },
      {
        target: c.owner,
        allowFailure: true,
        callData: encodeFunctionData({
          abi: ERC1271_ABI,
          functionName: 'isValidSignature',
          args: [c.digest, c.signature],
        }),
      },
      { target: c.settleCalldata ? c.proxy : c.owner, allowFailure: true, callData: c.settleCalldata ?? none },
    ];
    const tokenKey = c.token.toLowerCase();
    const cachedToken = (this.tokenCode.get(tokenKey) ?? 0) > Date.now();
    let results: readonly { success: boolean; returnData: Hex }[];
    let ownerCode: Hex | undefined;
    let tokenCode: Hex | undefined;
    try {
      const [multicall, owner, token] = await Promise.all([
        this.client.call({
          to: MULTICALL3_ADDRESS,
          data: encodeFunctionData({ abi: devMulticall3Abi, functionName: 'aggregate3', args: [calls] }),
        }),
        this.client.getCode({ address: c.owner }),
        cachedToken ? Promise.resolve('0x01' as Hex) : this.client.getCode({ address: c.token }),
      ]);
      if (!multicall.data) throw new Error('aggregate3 returned no data');
      results = decodeFunctionResult({ abi: devMulticall3Abi, functionName: 'aggregate3', data: multicall.data });
      ownerCode = owner;
      tokenCode = token;
    } catch (error) {
      throw this.unavailable('Permit2 probe failed', error);
    }
    const tokenHasCode = !!tokenCode && tokenCode !== '0x';
    if (tokenHasCode && !cachedToken) this.tokenCode.set(tokenKey, Date.now() + TOKEN_CODE_CACHE_MS);
    const at = (i: number): Permit2ProbeCall => ({ success: results[i].success, data: results[i].returnData });
    const skipped: Permit2ProbeCall = { success: false, data: none };
    // A call to an account without code "succeeds": no PERMIT2() answer means no proxy, so no real simulation.
    const proxyAnswered = results[0].success && results[0].returnData.length === 66;
    return {
      ownerHasCode: !!ownerCode && ownerCode !== '0x',
      tokenHasCode,
      proxyPermit2: at(0),
      balanceOf: at(1),
      allowance: at(2),
      nonceBitmap: at(3),
      ecrecover: c.ecdsa ? at(4) : skipped,
      erc1271: at(5),
      simulation: c.settleCalldata && proxyAnswered ? at(6) : skipped,
    };
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
