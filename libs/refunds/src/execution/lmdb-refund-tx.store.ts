import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Hash } from 'viem';
import { RefundTxStore, type SignedRefundTx } from './refund-tx.store';

/** RefundTxStore in an LMDB environment (`<stateDir>`), key = lowercase tx hash; writes resolve once fsync'd. */
export class LmdbRefundTxStore extends RefundTxStore {
  private readonly root: RootDatabase;
  private readonly txs: Database<SignedRefundTx, string>;

  constructor(path: string) {
    super();
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 4 });
    this.txs = this.root.openDB<SignedRefundTx, string>('refundTx', {});
  }

  async save(tx: SignedRefundTx): Promise<void> {
    await this.txs.put(tx.hash.toLowerCase(), tx);
    await this.root.flushed;
  }

  async discard(hash: Hash): Promise<void> {
    const tx = this.txs.get(hash.toLowerCase());
    if (!tx) return;
    await this.txs.put(hash.toLowerCase(), { ...tx, discarded: true });
    await this.root.flushed;
  }

  get(hash: Hash): SignedRefundTx | undefined {
    return this.txs.get(hash.toLowerCase());
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
