/** An ERC-20 `Transfer` log, with the transaction's sender. Addresses and hashes lowercase. */
export interface ChainTransfer {
  network: string;
  /** The token contract that emitted the log. */
  token: string;
  txHash: string;
  logIndex: number;
  blockNumber: bigint;
  /** Block timestamp, ISO-8601. */
  blockTime: string;
  /** The account that sent the transaction (a facilitator signer for settlements and refunds). */
  sender: string;
  from: string;
  to: string;
  value: bigint;
}

/** Inclusive block range. */
export interface BlockRange {
  fromBlock: bigint;
  toBlock: bigint;
}

/**
 * Reads token transfers from one network's chain (the side effect behind ChainReconcileService). Implementations
 * must page large ranges themselves (chunked eth_getLogs).
 */
export abstract class TransferSource {
  /** The blocks whose timestamps fall in [since, until); null when no block does. */
  abstract blockRange(since: Date, until: Date): Promise<BlockRange | null>;

  /** Transfer logs of `tokens` in `range`, in transactions sent by one of `senders`, in chain order. */
  abstract transfers(
    range: BlockRange,
    tokens: readonly string[],
    senders: readonly string[],
  ): Promise<ChainTransfer[]>;

  /** Every Transfer log of `tokens` in one transaction (any sender); [] when the transaction is unknown or failed. */
  abstract transfersInTransaction(txHash: string, tokens: readonly string[]): Promise<ChainTransfer[]>;
}
