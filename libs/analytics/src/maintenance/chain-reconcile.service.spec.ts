import { ChainReconcileService, pick, transferFields, type ChainWatch } from './chain-reconcile.service';
import type { LedgerChainFact } from './ledger-snapshot';
import { TransferSource, type BlockRange, type ChainTransfer } from './transfer-source.port';

const NETWORK = 'eip155:31337';
const TOKEN = `0x${'aa'.repeat(20)}`;
const OTHER_TOKEN = `0x${'ab'.repeat(20)}`;
const SIGNER = `0x${'5f'.repeat(20)}`;
const HOT_WALLET = `0x${'77'.repeat(20)}`;
const PAYER = `0x${'b1'.repeat(20)}`;
const PAY_TO = `0x${'c1'.repeat(20)}`;
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const SINCE = new Date('2026-03-01T00:00:00.000Z');
const UNTIL = new Date('2026-03-02T00:00:00.000Z');

function transfer(n: number, overrides: Partial<ChainTransfer> = {}): ChainTransfer {
  return {
    network: NETWORK,
    token: TOKEN,
    txHash: tx(n),
    logIndex: 0,
    blockNumber: BigInt(100 + n),
    blockTime: '2026-03-01T12:00:00.000Z',
    sender: SIGNER,
    from: PAYER,
    to: PAY_TO,
    value: 1000n * BigInt(n),
    ...overrides,
  };
}

function settlement(n: number, overrides: Partial<LedgerChainFact> = {}): LedgerChainFact {
  return {
    kind: 'settlement',
    tenant: 'acme',
    paymentId: `p${n}`,
    refundId: null,
    network: NETWORK,
    asset: TOKEN,
    txHash: tx(n),
    blockNumber: BigInt(100 + n),
    logIndex: 0,
    from: PAYER,
    to: PAY_TO,
    amount: 1000n * BigInt(n),
    ...overrides,
  };
}

/** A chain in memory: the signers' transfers of the window, and every transfer by transaction. */
class FakeTransferSource extends TransferSource {
  readonly calls: string[] = [];
  constructor(
    private readonly all: ChainTransfer[],
    private readonly range: BlockRange | null = { fromBlock: 100n, toBlock: 200n },
  ) {
    super();
  }
  async blockRange(): Promise<BlockRange | null> {
    return this.range;
  }
  async transfers(range: BlockRange, tokens: readonly string[], senders: readonly string[]): Promise<ChainTransfer[]> {
    this.calls.push(`transfers ${tokens.join(',')}`);
    return this.all.filter(
      (t) =>
        t.blockNumber >= range.fromBlock &&
        t.blockNumber <= range.toBlock &&
        tokens.includes(t.token) &&
        senders.includes(t.sender),
    );
  }
  async transfersInTransaction(txHash: string, tokens: readonly string[]): Promise<ChainTransfer[]> {
    this.calls.push(`tx ${txHash}`);
    return this.all.filter((t) => t.txHash === txHash && tokens.includes(t.token));
  }
}

const facts = (list: LedgerChainFact[]) => ({
  chainFacts: (network?: string) => list.filter((f) => network === undefined || f.network === network),
});
const watch = (source: TransferSource, tokens = [TOKEN]): ChainWatch => ({
  network: NETWORK,
  tokens,
  senders: [SIGNER.toUpperCase().replace('0X', '0x')],
  source,
});

describe('ChainReconcileService', () => {
  const sut = new ChainReconcileService();

  it('reports exactly the transfer the ledger lacks', async () => {
    const source = new FakeTransferSource([transfer(1), transfer(2), transfer(3)]);
    const result = await sut.reconcile(facts([settlement(1), settlement(3)]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
    });
    expect(result.ok).toBe(false);
    expect(result.differences).toEqual([
      { kind: 'missing_in_ledger', network: NETWORK, transfer: transfer(2), fact: null, fields: [] },
    ]);
    expect(result.networks).toEqual([
      { network: NETWORK, range: { fromBlock: 100n, toBlock: 200n }, transfers: 3, facts: 2, matched: 2 },
    ]);
  });

  it('is clean when every transfer has its fact; ignores transfers of other senders', async () => {
    const source = new FakeTransferSource([transfer(1), transfer(2), transfer(4, { sender: `0x${'99'.repeat(20)}` })]);
    const result = await sut.reconcile(facts([settlement(1), settlement(2)]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
    });
    expect(result).toMatchObject({ ok: true, differences: [] });
  });

  it('reports a fact whose transaction moved nothing as missing on chain, and only facts of the window blocks', async () => {
    const source = new FakeTransferSource([transfer(1)]);
    const outside = settlement(500, { blockNumber: 500n });
    const result = await sut.reconcile(facts([settlement(1), settlement(2), outside]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
    });
    expect(result.differences).toEqual([
      { kind: 'missing_on_chain', network: NETWORK, transfer: null, fact: settlement(2), fields: [] },
    ]);
  });

  it('reports amount and party mismatches in the same transaction', async () => {
    const source = new FakeTransferSource([transfer(1, { value: 999n }), transfer(2, { to: PAYER, from: PAY_TO })]);
    const result = await sut.reconcile(facts([settlement(1), settlement(2)]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
    });
    expect(result.differences.map((d) => [d.kind, d.fact?.paymentId, d.fields])).toEqual([
      ['mismatch', 'p1', ['amount']],
      ['mismatch', 'p2', ['from', 'to']],
    ]);
  });

  it('matches a hot-wallet refund through its own transaction (sender is not a signer)', async () => {
    const refundTransfer = transfer(5, { sender: HOT_WALLET, from: HOT_WALLET, to: PAYER, value: 400n });
    const refund: LedgerChainFact = {
      ...settlement(5, { amount: 400n, from: null, to: PAYER, logIndex: null }),
      kind: 'refund',
      refundId: 'r1',
    };
    const source = new FakeTransferSource([transfer(1), refundTransfer]);
    const result = await sut.reconcile(facts([settlement(1), refund]), [watch(source)], { since: SINCE, until: UNTIL });
    expect(result).toMatchObject({ ok: true, differences: [] });
    expect(source.calls).toContain(`tx ${tx(5)}`);
  });

  it('reads the ledger assets too, not only the configured tokens', async () => {
    const source = new FakeTransferSource([transfer(1, { token: OTHER_TOKEN })]);
    const result = await sut.reconcile(facts([settlement(1, { asset: OTHER_TOKEN })]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
    });
    expect(result.ok).toBe(true);
    expect(source.calls[0]).toBe(`transfers ${TOKEN},${OTHER_TOKEN}`);
  });

  it('with a tenant, reports only that tenant’s facts but every unmatched transfer', async () => {
    const source = new FakeTransferSource([transfer(3)]);
    const other = settlement(2, { tenant: 'other' });
    const result = await sut.reconcile(facts([settlement(1), other]), [watch(source)], {
      since: SINCE,
      until: UNTIL,
      tenant: 'acme',
    });
    expect(result.differences.map((d) => [d.kind, d.fact?.paymentId ?? d.transfer?.txHash])).toEqual([
      ['missing_on_chain', 'p1'],
      ['missing_in_ledger', tx(3)],
    ]);
  });

  it('no blocks in the window → nothing to compare', async () => {
    const source = new FakeTransferSource([transfer(1)], null);
    const result = await sut.reconcile(facts([settlement(1)]), [watch(source)], { since: SINCE, until: UNTIL });
    expect(result).toEqual({
      ok: true,
      networks: [{ network: NETWORK, range: null, transfers: 0, facts: 0, matched: 0 }],
      differences: [],
    });
  });

  it('rejects an empty window', async () => {
    await expect(sut.reconcile(facts([]), [], { since: UNTIL, until: SINCE })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
    });
  });
});

describe('pick', () => {
  it('prefers the exact transfer at the fact’s log index, then the log index, then the only candidate', () => {
    const a = transfer(1, { logIndex: 0 });
    const b = transfer(1, { logIndex: 2 });
    expect(pick(settlement(1, { logIndex: 2 }), [a, b], new Set())).toEqual({ transfer: b, fields: [] });
    expect(pick(settlement(1, { logIndex: 7 }), [a, b], new Set())).toEqual({ transfer: a, fields: [] });
    const c = transfer(1, { logIndex: 3, value: 5n });
    const d = transfer(1, { logIndex: 4, value: 6n });
    expect(pick(settlement(1, { logIndex: 4 }), [c, d], new Set())).toEqual({ transfer: d, fields: ['amount'] });
    expect(pick(settlement(1, { logIndex: 9 }), [c, d], new Set())).toBeNull();
    expect(pick(settlement(1, { logIndex: 9 }), [c, d], new Set([c]))).toEqual({ transfer: d, fields: ['amount'] });
  });

  it('compares token, sender side only when the ledger knows it, recipient and amount', () => {
    expect(transferFields(settlement(1, { from: null }), transfer(1, { from: HOT_WALLET }))).toEqual([]);
    expect(transferFields(settlement(1), transfer(1, { token: OTHER_TOKEN, value: 1n }))).toEqual(['token', 'amount']);
  });
});
