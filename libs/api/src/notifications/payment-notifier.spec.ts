import { getAddress } from 'viem';
import { payerPrincipal, providerPrincipal } from '@x402-ledger/auth';
import { eventId, sha256Hex, type EventEnvelope } from '@x402-ledger/ledger';
import { PaymentNotifier } from './payment-notifier';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const PAYER = '0x' + 'c'.repeat(40);

function env(
  type: string,
  streamId: string,
  sequence: number,
  tenant: string,
  data: Record<string, unknown>,
): EventEnvelope {
  return {
    id: eventId(streamId, type, sequence),
    type,
    version: 1,
    streamType: 'payment',
    streamId,
    sequence,
    occurredAt: '2026-03-02T00:00:00.000Z',
    recordedAt: '2026-03-02T00:00:00.000Z',
    tenant,
    correlationId: 'c',
    causationId: null,
    producer: 'spec',
    data,
  };
}
const settled = (tenant: string, payTo: string, n: number) => {
  const id = sha256Hex(`p${n}`);
  return env('payment.settled', id, 2, tenant, {
    paymentId: id,
    scheme: 'exact',
    network: 'eip155:1',
    asset: A,
    amount: '5',
    payer: PAYER,
    payTo,
    resourceUrl: null,
    txHash: `0x${'1'.repeat(64)}`,
    blockNumber: '1',
    blockTimestamp: '2026-03-02T00:00:00.000Z',
    logIndex: 0,
    gasUsed: '1',
    effectiveGasPrice: '1',
    signer: A,
  });
};
const batch = (...envelopes: EventEnvelope[]) =>
  envelopes.map((envelope, i) => ({ envelope, position: { partition: 0, offset: String(i) } }));

async function drain(it: AsyncIterableIterator<Record<string, unknown>>, n: number) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) out.push((await it.next()).value as Record<string, unknown>);
  return out;
}

describe('PaymentNotifier', () => {
  it('pushes each event only to subscribers whose scope covers the payment', async () => {
    const lookups: string[] = [];
    const sut = new PaymentNotifier(async (tenant, paymentId) => {
      lookups.push(paymentId);
      return { tenant, payTo: A, payer: PAYER };
    });
    const acme = sut.subscribe(providerPrincipal('k1', 'acme', []), 'paymentSettled');
    const acmeB = sut.subscribe(providerPrincipal('k2', 'acme', [B]), 'paymentSettled');
    const payer = sut.subscribe(payerPrincipal('w', PAYER), 'refundUpdated');
    const first = settled('acme', A, 1);
    await sut.onBatch(batch(settled('globex', A, 9), first, settled('acme', B, 2)));
    const [a1, a2] = await drain(acme, 2);
    expect((a1['paymentSettled'] as Record<string, unknown>)['paymentId']).toBe(first.streamId);
    expect((a2['paymentSettled'] as Record<string, unknown>)['tenant']).toBe('acme');
    const [b1] = await drain(acmeB, 1);
    expect((b1['paymentSettled'] as Record<string, unknown>)['payTo']).toBe(getAddress(B));
    // refund events carry no payTo/payer: ownership comes from the payment events seen before, else the lookup.
    await sut.onBatch(
      batch(
        env('refund.requested', first.streamId, 3, 'acme', {
          refundId: sha256Hex('r'),
          paymentId: first.streamId,
          amount: '1',
          reason: 'x',
          requestedBy: 'provider',
          idempotencyKey: 'k',
        }),
      ),
    );
    const [r] = await drain(payer, 1);
    expect(r['refundUpdated']).toMatchObject({
      type: 'refund.requested',
      status: 'requested',
      paymentId: first.streamId,
    });
    expect(lookups).toEqual([]);
    await sut.onBatch(
      batch(env('refund.approved', sha256Hex('unknown'), 4, 'acme', { refundId: sha256Hex('r'), approvedBy: 'x' })),
    );
    expect(lookups).toEqual([sha256Hex('unknown')]);
    for (const it of [acme, acmeB, payer]) await it.return?.();
    expect(sut.subscriberCount).toBe(0);
  });
});
