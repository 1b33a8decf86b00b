import fc from 'fast-check';

import { canonicalJson } from '../../envelope/canonical-json.util';
import { decodeEnvelope } from '../../envelope/envelope.codec';
import type { SessionIssuedData } from '../../events/session.events';
import { sessionId } from '../../ids/ledger-ids.util';
import { LedgerErrorCode, LedgerException } from '../../ledger.exception';
import {
  ASSET,
  decision,
  expectLedgerError,
  NETWORK,
  PAYER,
  PAYMENT_ID,
  StreamHarness,
} from '../../testing/ledger-test-data';
import { replay } from '../aggregate';
import { decideSession, sessionAggregate } from './session.aggregate';
import type { SessionCommand } from './session.commands';
import type { SessionState } from './session.state';

const SESSION_ID = sessionId({ paymentId: PAYMENT_ID, wallet: PAYER, nonce: 'n0nce1234' });

function issued(maxCalls: number | null = 10, budget: string | null = '1000'): SessionIssuedData {
  return {
    sessionId: SESSION_ID,
    paymentId: PAYMENT_ID,
    wallet: PAYER,
    network: NETWORK,
    asset: ASSET,
    policyId: 'default',
    policyVersion: 1,
    scope: { methods: ['GET'], routes: ['/report/*'] },
    expiresAt: '2026-03-01T13:00:00.000Z',
    maxCalls,
    budget,
  };
}
const usage = (calls: number, spend: string): SessionCommand => ({
  type: 'RecordSessionUsage',
  data: {
    sessionId: SESSION_ID,
    calls,
    spend,
    windowStart: '2026-03-01T12:00:00.000Z',
    windowEnd: '2026-03-01T12:01:00.000Z',
  },
});
const harness = (): StreamHarness<SessionState, SessionCommand> => new StreamHarness(sessionAggregate, SESSION_ID);
const later = { ...decision, now: new Date('2026-03-01T13:00:00.000Z') };

describe('Session aggregate', () => {
  it('issues, counts usage within limits, and revokes', () => {
    const sut = harness();
    sut.run({ type: 'IssueSession', data: issued() });
    expect(sut.state.status).toBe('active');
    sut.run(usage(4, '400'));
    sut.run(usage(6, '600'));
    expect(sut.state).toMatchObject({ calls: 10, spend: '1000', usageBatches: 2 });
    expectLedgerError(() => sut.run(usage(1, '0')), 'SESSION_LIMIT_EXCEEDED');
    sut.run({ type: 'RevokeSession', data: { sessionId: SESSION_ID, reason: 'abuse', revokedBy: 'ops' } });
    expect(sut.state.status).toBe('revoked');
    expect(
      sut.run({ type: 'RevokeSession', data: { sessionId: SESSION_ID, reason: 'abuse', revokedBy: 'ops' } }),
    ).toEqual([]);
    expectLedgerError(() => sut.run(usage(1, '0')), 'TERMINAL_STATE');
    expectLedgerError(
      () => sut.run({ type: 'ExpireSession', data: { sessionId: SESSION_ID } }, later),
      'TERMINAL_STATE',
    );
  });

  it('bounds spend by the budget and allows unlimited sessions', () => {
    const sut = harness();
    sut.run({ type: 'IssueSession', data: issued(null, '100') });
    expectLedgerError(() => sut.run(usage(1, '101')), 'SESSION_LIMIT_EXCEEDED');
    const free = harness();
    free.run({ type: 'IssueSession', data: issued(null, null) });
    free.run(usage(1_000_000, '1'.repeat(70)));
    expect(free.state.calls).toBe(1_000_000);
  });

  it('expires only at or after expiresAt', () => {
    const sut = harness();
    sut.run({ type: 'IssueSession', data: issued() });
    expectLedgerError(() => sut.run({ type: 'ExpireSession', data: { sessionId: SESSION_ID } }), 'SESSION_NOT_EXPIRED');
    sut.run({ type: 'ExpireSession', data: { sessionId: SESSION_ID } }, later);
    expect(sut.state.status).toBe('expired');
    expect(sut.run({ type: 'ExpireSession', data: { sessionId: SESSION_ID } }, later)).toEqual([]);
    expectLedgerError(
      () => sut.run({ type: 'RevokeSession', data: { sessionId: SESSION_ID, reason: 'x', revokedBy: 'ops' } }),
      'TERMINAL_STATE',
    );
  });

  it('refuses bad issue and usage commands', () => {
    const sut = harness();
    expectLedgerError(() => sut.run(usage(1, '1')), 'NOT_FOUND');
    expectLedgerError(() => sut.run({ type: 'IssueSession', data: issued() }, later), 'INVALID_COMMAND');
    expectLedgerError(() => sut.run({ type: 'IssueSession', data: { ...issued(), maxCalls: 0 } }), 'INVALID_COMMAND');
    sut.run({ type: 'IssueSession', data: issued() });
    expect(sut.run({ type: 'IssueSession', data: issued() })).toEqual([]);
    expectLedgerError(() => sut.run({ type: 'IssueSession', data: issued(11) }), 'IDEMPOTENCY_CONFLICT');
    expectLedgerError(
      () =>
        sut.run({
          type: 'RecordSessionUsage',
          data: {
            ...(usage(1, '1') as { data: Record<string, unknown> }).data,
            windowStart: '2026-03-01T12:02:00.000Z',
          } as never,
        }),
      'INVALID_COMMAND',
    );
    expectLedgerError(() => decideSession(sut.state, usage(1, '1'), { ...decision, tenant: 'other' }), 'NOT_FOUND');
    expectLedgerError(() => sut.run({ type: 'Nope' } as never), 'INVALID_COMMAND');
  });

  it('keeps limits, terminal states and replay over random command sequences (property)', () => {
    const command = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({ calls: fc.integer({ min: 1, max: 5 }), spend: fc.bigInt({ min: 0n, max: 300n }) })
          .map((u) => usage(u.calls, u.spend.toString())),
      },
      {
        weight: 1,
        arbitrary: fc.constant<SessionCommand>({
          type: 'RevokeSession',
          data: { sessionId: SESSION_ID, reason: 'r', revokedBy: 'ops' },
        }),
      },
      { weight: 1, arbitrary: fc.constant<SessionCommand>({ type: 'ExpireSession', data: { sessionId: SESSION_ID } }) },
      { weight: 1, arbitrary: fc.constant<SessionCommand>({ type: 'IssueSession', data: issued(20, '2000') }) },
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), fc.boolean(), (commands, expireLate) => {
        const sut = harness();
        sut.run({ type: 'IssueSession', data: issued(20, '2000') });
        for (const c of commands) {
          const before = sut.state;
          const snapshot = canonicalJson(before);
          try {
            const emitted = sut.run(c, expireLate ? later : decision);
            if (before.status === 'revoked' || before.status === 'expired') {
              expect(emitted).toEqual([]);
              expect(sut.state.status).toBe(before.status);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(LedgerException);
            expect(Object.values(LedgerErrorCode)).toContain((error as LedgerException).code);
            expect(canonicalJson(sut.state)).toBe(snapshot);
          }
          expect(sut.state.calls).toBeLessThanOrEqual(20);
          expect(BigInt(sut.state.spend) <= 2000n).toBe(true);
        }
        const rebuilt = replay(
          sessionAggregate,
          sut.bytes.map((b) => decodeEnvelope(b)),
        );
        expect(canonicalJson(rebuilt)).toBe(canonicalJson(sut.state));
      }),
      { numRuns: 200 },
    );
  });
});
