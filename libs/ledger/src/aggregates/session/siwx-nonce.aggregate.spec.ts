import { nonceStreamId } from '../../ids/ledger-ids.util';
import { decision, expectLedgerError, PAYER, StreamHarness } from '../../testing/ledger-test-data';
import { siwxNonceAggregate, type SiwxNonceCommand, type SiwxNonceState } from './siwx-nonce.aggregate';

const NONCE = 'a1b2c3d4e5f60718';
const harness = (): StreamHarness<SiwxNonceState, SiwxNonceCommand> =>
  new StreamHarness(siwxNonceAggregate, nonceStreamId(NONCE));
const issue: SiwxNonceCommand = {
  type: 'IssueNonce',
  data: {
    nonce: NONCE,
    domain: 'api.example.com',
    uri: 'https://api.example.com/r',
    expiresAt: '2026-03-01T12:05:00.000Z',
  },
};
const consume: SiwxNonceCommand = { type: 'ConsumeNonce', data: { nonce: NONCE, wallet: PAYER, sessionId: null } };

describe('SIWx nonce aggregate', () => {
  it('consumes an issued nonce exactly once', () => {
    const sut = harness();
    sut.run(issue);
    expect(sut.run(issue)).toEqual([]);
    sut.run(consume);
    expect(sut.state.status).toBe('consumed');
    expectLedgerError(() => sut.run(consume), 'NONCE_ALREADY_CONSUMED');
    expectLedgerError(() => sut.run(issue), 'TERMINAL_STATE');
  });

  it('refuses an expired nonce, a different issue, and a foreign nonce', () => {
    const sut = harness();
    sut.run(issue);
    expectLedgerError(
      () => sut.run(consume, { ...decision, now: new Date('2026-03-01T12:05:00.001Z') }),
      'NONCE_EXPIRED',
    );
    expectLedgerError(
      () => sut.run({ ...issue, data: { ...(issue.data as object), domain: 'evil.example' } } as SiwxNonceCommand),
      'IDEMPOTENCY_CONFLICT',
    );
    expectLedgerError(
      () => sut.run({ type: 'ConsumeNonce', data: { nonce: 'zzzzzzzz99', wallet: PAYER, sessionId: null } }),
      'NOT_FOUND',
    );
  });

  it('consumes a nonce the ledger never saw issued, once', () => {
    const sut = harness();
    sut.run(consume);
    expectLedgerError(() => sut.run(consume), 'NONCE_ALREADY_CONSUMED');
  });
});
