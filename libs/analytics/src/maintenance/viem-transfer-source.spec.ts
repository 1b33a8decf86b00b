import type { PublicClient } from 'viem';

import { ViemTransferSource } from './viem-transfer-source';

const TOKEN = '0x00000000000000000000000000000000000000aa';
const SIGNER = '0x00000000000000000000000000000000000000Bb';
const OTHER = '0x00000000000000000000000000000000000000cc';
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

/** A chain of blocks with these timestamps (seconds); block n holds transaction n sent by `senders[n]`. */
function fakeClient(timestamps: number[], senders: string[], options: { maxLogRange?: bigint } = {}) {
  const calls = { getBlock: 0, getLogs: [] as [bigint, bigint][] };
  const client = {
    getBlockNumber: async () => BigInt(timestamps.length - 1),
    getBlock: async ({ blockNumber, includeTransactions }: { blockNumber: bigint; includeTransactions?: boolean }) => {
      calls.getBlock++;
      const n = Number(blockNumber);
      return {
        timestamp: BigInt(timestamps[n]!),
        transactions: includeTransactions ? [{ hash: tx(n), from: senders[n] }] : [tx(n)],
      };
    },
    getLogs: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
      calls.getLogs.push([fromBlock, toBlock]);
      if (options.maxLogRange !== undefined && toBlock - fromBlock + 1n > options.maxLogRange)
        throw new Error('query returned more than 10000 results');
      const logs = [];
      for (let n = Number(fromBlock); n <= Number(toBlock); n++)
        logs.push({
          address: TOKEN,
          transactionHash: tx(n),
          logIndex: 1,
          blockNumber: BigInt(n),
          removed: false,
          args: { from: OTHER, to: SIGNER, value: BigInt(n) },
        });
      return logs;
    },
  };
  return { client: client as unknown as PublicClient, calls };
}

describe('ViemTransferSource', () => {
  const timestamps = [100, 100, 101, 105, 105, 110, 120];

  it('finds the blocks of [since, until) by binary search on timestamps', async () => {
    const sut = new ViemTransferSource('eip155:1', fakeClient(timestamps, []).client);
    const at = (s: number) => new Date(s * 1000);
    expect(await sut.blockRange(at(101), at(110))).toEqual({ fromBlock: 2n, toBlock: 4n });
    expect(await sut.blockRange(at(100.5), at(110.5))).toEqual({ fromBlock: 2n, toBlock: 5n });
    expect(await sut.blockRange(at(0), at(1000))).toEqual({ fromBlock: 0n, toBlock: 6n });
    expect(await sut.blockRange(at(106), at(109))).toBeNull();
    expect(await sut.blockRange(at(121), at(200))).toBeNull();
    expect(await sut.blockRange(at(50), at(100))).toBeNull();
  });

  it('reads logs in chunks, halving a refused range, and keeps only the signers’ transactions', async () => {
    const senders = timestamps.map((_, i) => (i % 2 === 0 ? SIGNER : OTHER));
    const { client, calls } = fakeClient(timestamps, senders, { maxLogRange: 2n });
    const sut = new ViemTransferSource('eip155:1', client, { chunkBlocks: 4n });
    const transfers = await sut.transfers({ fromBlock: 0n, toBlock: 6n }, [TOKEN], [SIGNER]);
    expect(transfers.map((t) => t.txHash)).toEqual([tx(0), tx(2), tx(4), tx(6)]);
    expect(transfers[1]).toEqual({
      network: 'eip155:1',
      token: TOKEN,
      txHash: tx(2),
      logIndex: 1,
      blockNumber: 2n,
      blockTime: new Date(101_000).toISOString(),
      sender: SIGNER.toLowerCase(),
      from: OTHER,
      to: SIGNER.toLowerCase(),
      value: 2n,
    });
    // 0..3 refused → 0..1, 2..3, 4..5, 6..6: every block read once.
    expect(calls.getLogs).toEqual([
      [0n, 3n],
      [0n, 1n],
      [2n, 3n],
      [4n, 5n],
      [6n, 6n],
    ]);
  });

  it('wraps RPC failures as CHAIN_FAILED', async () => {
    const client = { getBlockNumber: async () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const sut = new ViemTransferSource('eip155:1', client as unknown as PublicClient);
    await expect(sut.blockRange(new Date(0), new Date(1000))).rejects.toMatchObject({
      code: 'CHAIN_FAILED',
      message: 'eip155:1: blockRange failed: connect ECONNREFUSED',
    });
  });
});
