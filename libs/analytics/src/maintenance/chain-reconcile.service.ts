import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import type { LedgerChainFact, LedgerSnapshot } from './ledger-snapshot';
import type { BlockRange, ChainTransfer, TransferSource } from './transfer-source.port';

/** What the chain leg needs from the ledger (a LedgerSnapshot). */
export type LedgerFacts = Pick<LedgerSnapshot, 'chainFacts'>;

/** One network to reconcile: which tokens to read, whose transactions count, and where to read them. */
export interface ChainWatch {
  /** CAIP-2 id, as the ledger's events name it. */
  network: string;
  /** Configured token addresses (the ledger's assets on this network are added). */
  tokens: readonly string[];
  /** Facilitator signer addresses: their transactions are settlements and refunds. */
  senders: readonly string[];
  source: TransferSource;
}

export interface ChainReconcileInput {
  since: Date;
  until: Date;
  /** Only this tenant's ledger facts are reported (transfers carry no tenant: unmatched ones are always reported). */
  tenant?: string;
}

export type TransferField = 'token' | 'from' | 'to' | 'amount';

export interface ChainDifference {
  kind: 'missing_in_ledger' | 'missing_on_chain' | 'mismatch';
  network: string;
  /** The on-chain transfer (null when the ledger's fact has none). */
  transfer: ChainTransfer | null;
  /** The ledger fact (null when the transfer has none). */
  fact: LedgerChainFact | null;
  /** For a mismatch: what differs between the fact and the transfer of the same transaction. */
  fields: TransferField[];
}

export interface NetworkSummary {
  network: string;
  range: BlockRange | null;
  transfers: number;
  facts: number;
  matched: number;
}

export interface ChainReconcileResult {
  ok: boolean;
  networks: NetworkSummary[];
  differences: ChainDifference[];
}

/**
 * Ledger vs chain: for each network, the blocks of the window, the configured tokens' Transfer logs in transactions
 * sent by the facilitator's signers, matched to the ledger's payment.settled and refund.succeeded facts of those
 * blocks — by (txHash, logIndex) or (txHash, token, from, to, value). Reports transfers the ledger lacks, facts the
 * chain lacks (a fact's transaction is looked up directly before, so a refund sent by another wallet still matches)
 * and amount/party mismatches.
 */
export class ChainReconcileService {
  async reconcile(ledger: LedgerFacts, watches: readonly ChainWatch[], input: ChainReconcileInput) {
    if (!(input.since.getTime() < input.until.getTime()))
      throw new AnalyticsException(AnalyticsErrorCode.INVALID_QUERY, 'since must be before until');
    const networks: NetworkSummary[] = [];
    const differences: ChainDifference[] = [];
    for (const watch of watches) {
      const result = await this.network(ledger, watch, input);
      networks.push(result.summary);
      differences.push(...result.differences);
    }
    return { ok: differences.length === 0, networks, differences } satisfies ChainReconcileResult;
  }

  private async network(
    ledger: LedgerFacts,
    watch: ChainWatch,
    input: ChainReconcileInput,
  ): Promise<{ summary: NetworkSummary; differences: ChainDifference[] }> {
    const range = await watch.source.blockRange(input.since, input.until);
    const summary: NetworkSummary = { network: watch.network, range, transfers: 0, facts: 0, matched: 0 };
    if (!range) return { summary, differences: [] };
    const facts = ledger
      .chainFacts(watch.network)
      .filter((f) => f.blockNumber >= range.fromBlock && f.blockNumber <= range.toBlock)
      .sort((a, b) =>
        a.blockNumber === b.blockNumber ? a.txHash.localeCompare(b.txHash) : a.blockNumber < b.blockNumber ? -1 : 1,
      );
    const tokens = [...new Set([...watch.tokens.map((t) => t.toLowerCase()), ...facts.map((f) => f.asset)])];
    const senders = watch.senders.map((s) => s.toLowerCase());
    const transfers = await watch.source.transfers(range, tokens, senders);
    summary.transfers = transfers.length;
    summary.facts = facts.length;

    const byTx = new Map<string, ChainTransfer[]>();
    for (const t of transfers) {
      const list = byTx.get(t.txHash) ?? [];
      list.push(t);
      byTx.set(t.txHash, list);
    }
    const used = new Set<ChainTransfer>();
    const differences: ChainDifference[] = [];
    const reportFact = (f: LedgerChainFact) => input.tenant === undefined || f.tenant === input.tenant;

    for (const fact of facts) {
      let found = pick(fact, byTx.get(fact.txHash) ?? [], used);
      if (!found) {
        // Not among the signers' transfers of the window: read the fact's own transaction (another sender, or the
        // block number the ledger recorded is off).
        const own = (await watch.source.transfersInTransaction(fact.txHash, [fact.asset])).filter(
          (t) => !transfers.some((u) => u.txHash === t.txHash && u.logIndex === t.logIndex),
        );
        found = pick(fact, own, used);
      }
      if (!found) {
        if (reportFact(fact))
          differences.push({ kind: 'missing_on_chain', network: watch.network, transfer: null, fact, fields: [] });
        continue;
      }
      used.add(found.transfer);
      summary.matched++;
      if (found.fields.length && reportFact(fact))
        differences.push({
          kind: 'mismatch',
          network: watch.network,
          transfer: found.transfer,
          fact,
          fields: found.fields,
        });
    }
    for (const t of transfers) {
      if (!used.has(t))
        differences.push({ kind: 'missing_in_ledger', network: watch.network, transfer: t, fact: null, fields: [] });
    }
    return { summary, differences };
  }
}

/** What differs between a fact and a transfer (empty = the same movement). */
export function transferFields(fact: LedgerChainFact, t: ChainTransfer): TransferField[] {
  const fields: TransferField[] = [];
  if (t.token !== fact.asset) fields.push('token');
  if (fact.from !== null && t.from !== fact.from) fields.push('from');
  if (t.to !== fact.to) fields.push('to');
  if (t.value !== fact.amount) fields.push('amount');
  return fields;
}

/**
 * The transfer of `candidates` (same transaction) that records `fact`: an exact match first (at the fact's log index
 * when it has one), else the one at the fact's log index, else the only candidate left; null when none.
 */
export function pick(
  fact: LedgerChainFact,
  candidates: readonly ChainTransfer[],
  used: ReadonlySet<ChainTransfer>,
): { transfer: ChainTransfer; fields: TransferField[] } | null {
  const free = candidates.filter((t) => !used.has(t) && t.txHash === fact.txHash);
  const exact = free.filter((t) => transferFields(fact, t).length === 0);
  const exactAtIndex = exact.find((t) => t.logIndex === fact.logIndex);
  if (exactAtIndex ?? exact[0]) return { transfer: (exactAtIndex ?? exact[0])!, fields: [] };
  const atIndex = fact.logIndex === null ? undefined : free.find((t) => t.logIndex === fact.logIndex);
  const only = free.length === 1 ? free[0] : undefined;
  const chosen = atIndex ?? only;
  return chosen ? { transfer: chosen, fields: transferFields(fact, chosen) } : null;
}
