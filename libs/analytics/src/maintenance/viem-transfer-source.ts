import {
  createPublicClient,
  fallback,
  http,
  parseAbiItem,
  parseEventLogs,
  TransactionReceiptNotFoundError,
  type Address,
  type Hash,
  type PublicClient,
} from 'viem';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import type { BlockRange, ChainTransfer, TransferSource } from './transfer-source.port';

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

export interface ViemTransferSourceOptions {
  /** Blocks per eth_getLogs call (halved on a refused range, down to 1). Default 2,000. */
  chunkBlocks?: bigint;
  /** Parallel block reads. Default 4. */
  concurrency?: number;
}

interface BlockInfo {
  timestamp: bigint;
  senders: Map<string, string>;
}

/** TransferSource over JSON-RPC with viem: binary search on block timestamps, chunked eth_getLogs, block reads. */
export class ViemTransferSource implements TransferSource {
  private readonly timestamps = new Map<bigint, bigint>();
  private readonly chunkBlocks: bigint;
  private readonly concurrency: number;

  constructor(
    readonly network: string,
    private readonly client: PublicClient,
    options: ViemTransferSourceOptions = {},
  ) {
    this.chunkBlocks = options.chunkBlocks ?? 2_000n;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Over HTTP JSON-RPC, the URLs in failover order. */
  static fromRpcUrls(
    network: string,
    urls: readonly string[],
    options: ViemTransferSourceOptions & { timeoutMs?: number } = {},
  ): ViemTransferSource {
    const transports = urls.map((url) => http(url, { timeout: options.timeoutMs ?? 10_000, retryCount: 1 }));
    const transport = transports.length === 1 ? transports[0]! : fallback(transports);
    return new ViemTransferSource(network, createPublicClient({ transport }) as PublicClient, options);
  }

  async blockRange(since: Date, until: Date): Promise<BlockRange | null> {
    return this.rpc('blockRange', async () => {
      const latest = await this.client.getBlockNumber({ cacheTime: 0 });
      const first = BigInt(Math.ceil(since.getTime() / 1000));
      const end = BigInt(Math.ceil(until.getTime() / 1000)); // a block is in the window when timestamp < end
      const fromBlock = await this.firstAtOrAfter(first, latest);
      if (fromBlock === null) return null;
      const afterEnd = await this.firstAtOrAfter(end, latest);
      const toBlock = afterEnd === null ? latest : afterEnd - 1n;
      return fromBlock <= toBlock ? { fromBlock, toBlock } : null;
    });
  }

  async transfers(range: BlockRange, tokens: readonly string[], senders: readonly string[]): Promise<ChainTransfer[]> {
    if (tokens.length === 0) return [];
    const wanted = new Set(senders.map((s) => s.toLowerCase()));
    const logs = await this.rpc('eth_getLogs', () => this.logs(range, tokens as Address[]));
    const blockNumbers = [...new Set(logs.map((l) => l.blockNumber))];
    const blocks = new Map<bigint, BlockInfo>();
    await this.rpc('eth_getBlockByNumber', () =>
      this.each(blockNumbers, async (n) => {
        const block = await this.client.getBlock({ blockNumber: n, includeTransactions: true });
        const senders = new Map<string, string>();
        for (const tx of block.transactions) senders.set(tx.hash.toLowerCase(), tx.from.toLowerCase());
        this.timestamps.set(n, block.timestamp);
        blocks.set(n, { timestamp: block.timestamp, senders });
      }),
    );
    const out: ChainTransfer[] = [];
    for (const log of logs) {
      const block = blocks.get(log.blockNumber)!;
      const txHash = log.transactionHash.toLowerCase();
      const sender = block.senders.get(txHash);
      if (sender === undefined || !wanted.has(sender)) continue;
      out.push(this.transfer(log, block.timestamp, sender));
    }
    return out;
  }

  async transfersInTransaction(txHash: string, tokens: readonly string[]): Promise<ChainTransfer[]> {
    return this.rpc('eth_getTransactionReceipt', async () => {
      let receipt;
      try {
        receipt = await this.client.getTransactionReceipt({ hash: txHash as Hash });
      } catch (error) {
        if (error instanceof TransactionReceiptNotFoundError) return [];
        throw error;
      }
      if (receipt.status !== 'success') return [];
      const wanted = new Set(tokens.map((t) => t.toLowerCase()));
      const logs = parseEventLogs({ abi: [TRANSFER], logs: receipt.logs, eventName: 'Transfer' }).filter((l) =>
        wanted.has(l.address.toLowerCase()),
      );
      if (logs.length === 0) return [];
      const timestamp = await this.timestamp(receipt.blockNumber);
      return logs.map((l) => this.transfer(l, timestamp, receipt.from.toLowerCase()));
    });
  }

  private transfer(
    log: {
      address: string;
      transactionHash: string;
      logIndex: number;
      blockNumber: bigint;
      args: { from: string; to: string; value: bigint };
    },
    timestamp: bigint,
    sender: string,
  ): ChainTransfer {
    return {
      network: this.network,
      token: log.address.toLowerCase(),
      txHash: log.transactionHash.toLowerCase(),
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      blockTime: new Date(Number(timestamp) * 1000).toISOString(),
      sender,
      from: log.args.from.toLowerCase(),
      to: log.args.to.toLowerCase(),
      value: log.args.value,
    };
  }

  /** eth_getLogs over the range in chunks; a refused chunk (too many results, range too wide) is halved. */
  private async logs(range: BlockRange, tokens: Address[]) {
    const out = [];
    let size = this.chunkBlocks;
    let from = range.fromBlock;
    while (from <= range.toBlock) {
      const to = from + size - 1n < range.toBlock ? from + size - 1n : range.toBlock;
      try {
        const logs = await this.client.getLogs({
          address: tokens,
          event: TRANSFER,
          fromBlock: from,
          toBlock: to,
          strict: true,
        });
        for (const l of logs) if (!l.removed) out.push(l);
        from = to + 1n;
      } catch (error) {
        if (size === 1n) throw error;
        size = size / 2n;
      }
    }
    return out;
  }

  /** The first block in [0, latest] whose timestamp is ≥ `seconds` (timestamps never decrease), or null. */
  private async firstAtOrAfter(seconds: bigint, latest: bigint): Promise<bigint | null> {
    if ((await this.timestamp(latest)) < seconds) return null;
    let lo = 0n;
    let hi = latest;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if ((await this.timestamp(mid)) >= seconds) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  }

  private async timestamp(blockNumber: bigint): Promise<bigint> {
    const cached = this.timestamps.get(blockNumber);
    if (cached !== undefined) return cached;
    const block = await this.client.getBlock({ blockNumber });
    this.timestamps.set(blockNumber, block.timestamp);
    return block.timestamp;
  }

  private async each<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await fn(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }

  private async rpc<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AnalyticsException) throw error;
      throw new AnalyticsException(
        AnalyticsErrorCode.CHAIN_FAILED,
        `${this.network}: ${what} failed: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    }
  }
}
