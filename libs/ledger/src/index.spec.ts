import * as ledger from '@x402-ledger/ledger';

describe('@x402-ledger/ledger public API', () => {
  it('exposes the documented runtime exports', () => {
    expect(Object.keys(ledger).sort()).toEqual(
      [
        'Balances',
        'Clock',
        'EventFactory',
        'EventRegistry',
        'LedgerErrorCode',
        'LedgerException',
        'LedgerJournal',
        'accounts',
        'assertBalanced',
        'assetKey',
        'canonicalJson',
        'createLedgerEventRegistry',
        'decidePayment',
        'decideSession',
        'decideSiwxNonce',
        'decodeEnvelope',
        'discoveryStreamId',
        'disputeId',
        'disputePayoutKey',
        'encodeEnvelope',
        'eventEnvelopeSchema',
        'eventId',
        'eventRegistry',
        'evolvePayment',
        'evolveSession',
        'evolveSiwxNonce',
        'initialPaymentState',
        'initialSessionState',
        'initialSiwxNonceState',
        'isEventType',
        'latestEventSchemas',
        'nativeAssetKey',
        'nonceStreamId',
        'parseEnvelope',
        'paymentAggregate',
        'paymentId',
        'postingsFor',
        'rawPayloadStreamId',
        'refundId',
        'refundableAmount',
        'replay',
        'sessionAggregate',
        'sessionId',
        'sha256Hex',
        'siwxNonceAggregate',
      ].sort(),
    );
  });

  it('wires the pieces together through the public names only', () => {
    class StepClock extends ledger.Clock {
      now(): Date {
        return new Date('2026-01-01T00:00:00.000Z');
      }
    }
    const factory = new ledger.EventFactory(new StepClock());
    const id = ledger.paymentId({
      network: 'eip155:8453',
      asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      payer: '0x1111111111111111111111111111111111111111',
      nonce: '42',
    });
    const data: ledger.PaymentSettledData = {
      paymentId: id,
      scheme: 'exact',
      network: 'eip155:8453',
      asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      amount: '10000',
      payer: '0x1111111111111111111111111111111111111111',
      payTo: '0x2222222222222222222222222222222222222222',
      resourceUrl: null,
      txHash: `0x${'ab'.repeat(32)}`,
      blockNumber: '1',
      blockTimestamp: '2026-01-01T00:00:00.000Z',
      logIndex: 3,
      gasUsed: '21000',
      effectiveGasPrice: '2',
      signer: '0x3333333333333333333333333333333333333333',
    };
    const state = ledger.initialPaymentState();
    const drafts = ledger.decidePayment(state, { type: 'RecordSettled', data }, { tenant: 't1', now: new Date() });
    const [envelope] = factory.create({ streamType: 'payment', streamId: id, lastSequence: state.sequence }, drafts, {
      tenant: 't1',
      correlationId: 'c',
      causationId: null,
      producer: 'spec',
    });
    const decoded = ledger.decodeEnvelope(ledger.encodeEnvelope(envelope));
    expect(ledger.isEventType(decoded, 'payment.settled') && decoded.data.logIndex).toBe(3);
    const after = ledger.evolvePayment(state, decoded);
    expect(after.status).toBe('settled');
    const balances = new ledger.Balances().apply(ledger.postingsFor(decoded, state));
    expect(
      balances.of(ledger.accounts.providerRevenue('t1', data.payTo), ledger.assetKey(data.network, data.asset)),
    ).toBe(10000n);
  });
});
