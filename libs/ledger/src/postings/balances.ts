import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import type { Posting } from './posting';

/** Throws UNBALANCED_POSTINGS unless Σ debit = Σ credit for every asset, and every leg is non-negative one-sided. */
export function assertBalanced(postings: readonly Posting[]): void {
  const net = new Map<string, bigint>();
  for (const posting of postings) {
    if (posting.debit < 0n || posting.credit < 0n || (posting.debit !== 0n && posting.credit !== 0n)) {
      throw new LedgerException(
        LedgerErrorCode.UNBALANCED_POSTINGS,
        `posting on ${posting.account} must debit or credit a non-negative amount, not both`,
      );
    }
    net.set(posting.asset, (net.get(posting.asset) ?? 0n) + posting.credit - posting.debit);
  }
  for (const [asset, delta] of net) {
    if (delta !== 0n) {
      throw new LedgerException(LedgerErrorCode.UNBALANCED_POSTINGS, `postings in ${asset} are off by ${delta}`);
    }
  }
}

export interface AccountBalance {
  account: string;
  asset: string;
  debit: bigint;
  credit: bigint;
  /** credit − debit */
  balance: bigint;
}

/** Balances per (account, asset), folded from postings. Balance = credits − debits. */
export class Balances {
  private readonly byKey = new Map<string, AccountBalance>();

  /** Applies one event's postings after checking that they balance. */
  apply(postings: readonly Posting[]): this {
    assertBalanced(postings);
    for (const posting of postings) {
      const key = `${posting.account}\u0000${posting.asset}`;
      const current = this.byKey.get(key) ?? {
        account: posting.account,
        asset: posting.asset,
        debit: 0n,
        credit: 0n,
        balance: 0n,
      };
      const debit = current.debit + posting.debit;
      const credit = current.credit + posting.credit;
      this.byKey.set(key, { ...current, debit, credit, balance: credit - debit });
    }
    return this;
  }

  /** credits − debits of `account` in `asset` (0n for an account never posted to). */
  of(account: string, asset: string): bigint {
    return this.byKey.get(`${account}\u0000${asset}`)?.balance ?? 0n;
  }

  /** Every (account, asset) posted to, sorted by account then asset. */
  entries(): AccountBalance[] {
    return [...this.byKey.values()].sort((a, b) =>
      a.account === b.account ? (a.asset < b.asset ? -1 : 1) : a.account < b.account ? -1 : 1,
    );
  }

  /** Σ balances of every account in `asset`; always 0n when every applied batch balanced. */
  total(asset: string): bigint {
    let sum = 0n;
    for (const entry of this.byKey.values()) if (entry.asset === asset) sum += entry.balance;
    return sum;
  }
}
