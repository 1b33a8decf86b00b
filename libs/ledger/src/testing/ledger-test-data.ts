// Test data and a tiny in-memory stream harness for the ledger's own specs (not exported from index.ts).
import type { Aggregate } from '../aggregates/aggregate';
import type { DecisionContext } from '../aggregates/decision-context';
import { paymentAggregate } from '../aggregates/payment/payment.aggregate';
import type { PaymentCommand } from '../aggregates/payment/payment.commands';
import type { PaymentState } from '../aggregates/payment/payment.state';
import { decodeEnvelope, encodeEnvelope } from '../envelope/envelope.codec';
import type { EventEnvelope } from '../envelope/event-envelope';
import type {
  PaymentSettledData,
  PaymentSettlementFailedData,
  PaymentSettlementSubmittedData,
  PaymentVerificationFailedData,
  PaymentVerifiedData,
} from '../events/payment.events';
import { paymentId, refundId } from '../ids/ledger-ids.util';
import { Clock } from '../stream/clock.port';
import { EventFactory, type EventContext } from '../stream/event-factory';

export class FixedClock extends Clock {
  constructor(private current: Date = new Date('2026-03-01T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const TENANT = 'acme';
export const NETWORK = 'eip155:84532';
export const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
export const PAYER = '0x109e5E0a5D2A4C5b1f2E3D4c5B6a7980A1b2C3d4';
export const PAY_TO = '0x209E5e0A5d2a4c5B1F2e3d4C5b6A7980a1B2c3D5';
export const SIGNER = '0x309e5E0a5D2A4C5b1f2E3D4c5B6a7980A1b2C3d6';
export const NONCE = '0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97ac0f8ddbf2f9d4b0c6e0b3db';
export const TX = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;

export const PAYMENT_ID = paymentId({ network: NETWORK, asset: ASSET, payer: PAYER, nonce: NONCE });

export const decision: DecisionContext = { tenant: TENANT, now: new Date('2026-03-01T12:00:00.000Z') };
export const eventContext: EventContext = {
  tenant: TENANT,
  correlationId: 'corr-1',
  causationId: null,
  producer: 'ledger-spec',
};

function common(amount: string): {
  paymentId: string;
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  payer: string;
  payTo: string;
  resourceUrl: string;
} {
  return {
    paymentId: PAYMENT_ID,
    scheme: 'exact',
    network: NETWORK,
    asset: ASSET,
    amount,
    payer: PAYER,
    payTo: PAY_TO,
    resourceUrl: 'https://api.example.com/report',
  };
}

export function verifiedData(amount = '1000000'): PaymentVerifiedData {
  return {
    ...common(amount),
    nonce: NONCE,
    validAfter: '0',
    validBefore: '1795461429',
    x402Version: 2,
    assetTransferMethod: 'eip3009',
    signatureKind: 'eoa',
  };
}

export function verificationFailedData(amount = '1000000'): PaymentVerificationFailedData {
  return { ...common(amount), reason: 'insufficient_funds', message: null };
}

export function submittedData(amount = '1000000', tx = TX(1)): PaymentSettlementSubmittedData {
  return { ...common(amount), txHash: tx, signer: SIGNER, submittedAt: '2026-03-01T12:00:01.000Z' };
}

export function settledData(amount = '1000000', tx = TX(1)): PaymentSettledData {
  return {
    ...common(amount),
    txHash: tx,
    blockNumber: '123',
    blockTimestamp: '2026-03-01T12:00:02.000Z',
    logIndex: 0,
    gasUsed: '60000',
    effectiveGasPrice: '1000000000',
    signer: SIGNER,
  };
}

export function settlementFailedData(amount = '1000000'): PaymentSettlementFailedData {
  return { ...common(amount), reason: 'invalid_exact_evm_transaction_failed', message: 'reverted', txHash: TX(9) };
}

export function refundCommand(
  key: string,
  amount: string,
  extra: { disputeId?: string; requestedBy?: 'provider' | 'payer' | 'arbiter' } = {},
): PaymentCommand {
  return {
    type: 'RequestRefund',
    data: {
      refundId: refundId({ paymentId: PAYMENT_ID, idempotencyKey: key }),
      paymentId: PAYMENT_ID,
      amount,
      reason: 'requested_by_customer',
      requestedBy: extra.requestedBy ?? 'provider',
      idempotencyKey: key,
      ...(extra.disputeId !== undefined ? { disputeId: extra.disputeId } : {}),
    },
  };
}

export function refundIdOf(key: string): string {
  return refundId({ paymentId: PAYMENT_ID, idempotencyKey: key });
}

export const DISPUTE_ID = 'd'.repeat(64);

/** One stream in memory: decide → envelopes (encoded and decoded) → evolve. */
export class StreamHarness<S extends { sequence: number; streamId: string | null }, C> {
  readonly envelopes: EventEnvelope[] = [];
  readonly bytes: Buffer[] = [];
  state: S;

  constructor(
    private readonly aggregate: Aggregate<S, C>,
    readonly streamId: string,
    readonly clock = new FixedClock(),
    private readonly context: EventContext = eventContext,
  ) {
    this.state = aggregate.initialState();
  }

  /** Runs a command; returns the new envelopes (throws what decide throws, leaving the state unchanged). */
  run(command: C, decisionContext: DecisionContext = { ...decision, now: this.clock.now() }): EventEnvelope[] {
    const drafts = this.aggregate.decide(this.state, command, decisionContext);
    const factory = new EventFactory(this.clock);
    const created = factory.create(
      { streamType: this.aggregate.streamType, streamId: this.streamId, lastSequence: this.state.sequence },
      drafts,
      this.context,
    );
    const decoded: EventEnvelope[] = [];
    const written: Buffer[] = [];
    let next = this.state;
    for (const envelope of created) {
      const bytes = encodeEnvelope(envelope);
      const back = decodeEnvelope(bytes);
      try {
        next = this.aggregate.evolve(next, back);
      } catch (error) {
        // decide accepted the command, so evolve must accept its events: anything else is a bug, not a refusal
        throw new Error(`evolve rejected an event decide produced (${back.type}): ${(error as Error).message}`);
      }
      decoded.push(back);
      written.push(bytes);
    }
    this.state = next;
    this.envelopes.push(...decoded);
    this.bytes.push(...written);
    this.clock.advance(1000);
    return decoded;
  }
}

export function paymentHarness(): StreamHarness<PaymentState, PaymentCommand> {
  return new StreamHarness(paymentAggregate, PAYMENT_ID);
}

/** Runs the happy path up to settled. */
export function settledPayment(amount = '1000000'): StreamHarness<PaymentState, PaymentCommand> {
  const sut = paymentHarness();
  sut.run({ type: 'RecordVerified', data: verifiedData(amount) });
  sut.run({ type: 'RecordSettlementSubmitted', data: submittedData(amount) });
  sut.run({ type: 'RecordSettled', data: settledData(amount) });
  return sut;
}

/** Asserts that `fn` throws a LedgerException with `code`. */
export function expectLedgerError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof Error) || (thrown as { code?: unknown }).code !== code) {
    throw new Error(
      `expected LedgerException ${code}, got ${thrown instanceof Error ? `${(thrown as { code?: string }).code}: ${thrown.message}` : String(thrown)}`,
    );
  }
}
