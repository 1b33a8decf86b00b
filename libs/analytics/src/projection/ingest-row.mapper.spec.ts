import type { EventEnvelope } from '@x402-ledger/ledger';

import { IngestRowMapper } from './ingest-row.mapper';
import { ProjectionContext, type ContextNeeds } from './projection-context';

const PAYMENT = 'a'.repeat(64);
const common = {
  paymentId: PAYMENT,
  scheme: 'exact',
  network: 'eip155:8453',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  amount: '1000',
  payer: '0x00000000000000000000000000000000000000AA',
  payTo: '0x00000000000000000000000000000000000000BB',
  resourceUrl: 'https://api.example.com/x',
};

function envelope(
  type: string,
  sequence: number,
  data: Record<string, unknown>,
  occurredAt = '2026-01-01T00:00:00.000Z',
): EventEnvelope {
  return {
    id: String(sequence).padStart(64, '0'),
    type,
    version: 1,
    streamType: 'payment',
    streamId: PAYMENT,
    sequence,
    occurredAt,
    recordedAt: occurredAt,
    tenant: 't',
    correlationId: 'c',
    causationId: null,
    producer: 'p',
    data,
  };
}

describe('IngestRowMapper', () => {
  const sut = new IngestRowMapper((_network, asset) => (asset === common.asset.toLowerCase() ? 6 : null));

  it('maps payment events (lowercased addresses, decimals, status) and carries submittedAt to the settlement', () => {
    const context = new ProjectionContext(10);
    const submitted = sut.map(
      envelope('payment.settlement_submitted', 2, {
        ...common,
        txHash: `0x${'C'.repeat(64)}`,
        signer: common.payTo,
        submittedAt: '2026-01-01T00:00:01.000Z',
      }),
      context,
    );
    expect(submitted.kind === 'row' && submitted.row.toObject()).toMatchObject({
      status: 'submitted',
      asset: common.asset.toLowerCase(),
      decimals: 6,
      payer: common.payer.toLowerCase(),
      tx_hash: `0x${'c'.repeat(64)}`,
      submitted_at: '2026-01-01 00:00:01.000',
    });
    const settled = sut.map(
      envelope(
        'payment.settled',
        3,
        {
          ...common,
          txHash: `0x${'c'.repeat(64)}`,
          blockNumber: '7',
          blockTimestamp: '2026-01-01T00:00:02.000Z',
          logIndex: 0,
          gasUsed: '21000',
          effectiveGasPrice: '3000000000',
          signer: common.payTo,
        },
        '2026-01-01T00:00:03.000Z',
      ),
      context,
    );
    expect(settled.kind === 'row' && settled.row.toObject()).toMatchObject({
      status: 'settled',
      gas_cost: (21000n * 3000000000n).toString(),
      submitted_at: '2026-01-01 00:00:01.000',
      occurred_at: '2026-01-01 00:00:03.000',
    });
  });

  it('copies the payment dimensions onto refund and dispute rows', () => {
    const context = new ProjectionContext(10);
    context.notePayment('t', PAYMENT, {
      network: 'eip155:8453',
      asset: 'x',
      payTo: 'y',
      resource: 'r',
      amount: '1000',
      settledAt: '2026-01-01 00:00:03.000',
    });
    const refund = sut.map(
      envelope('refund.succeeded', 4, {
        refundId: 'b'.repeat(64),
        txHash: `0x${'d'.repeat(64)}`,
        blockNumber: '9',
        amount: '400',
      }),
      context,
    );
    expect(refund.kind === 'row' && refund.row.toObject()).toMatchObject({
      payment_id: PAYMENT,
      refund_id: 'b'.repeat(64),
      amount: '400',
      pay_to: 'y',
      resource: 'r',
      payment_amount: '1000',
      payment_settled_at: '2026-01-01 00:00:03.000',
      status: 'succeeded',
    });
    const needs: ContextNeeds = { payments: new Map(), sessions: new Map() };
    sut.collectNeeds(envelope('dispute.opened', 5, {}), needs);
    expect([...(needs.payments.get('t') ?? [])]).toEqual([PAYMENT]);
  });

  it('stores unreadable data of a known type raw only, and unknown types raw only', () => {
    const context = new ProjectionContext(10);
    expect(sut.map(envelope('payment.verified', 1, { ...common, amount: '1e6' }), context)).toEqual({
      kind: 'invalid',
      reason: 'amount is not a uint256 decimal string',
    });
    expect(sut.map(envelope('discovery.resource_updated', 1, {}), context)).toEqual({ kind: 'raw-only' });
    expect(sut.map(envelope('some.future_event', 1, {}), context)).toEqual({ kind: 'raw-only' });
  });
});
