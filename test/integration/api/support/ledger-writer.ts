import { createHash } from 'node:crypto';
import { getAddress } from 'viem';
import {
  Clock,
  decidePayment,
  decideSession,
  discoveryStreamId,
  disputeId as deriveDisputeId,
  EventFactory,
  evolvePayment,
  evolveSession,
  initialPaymentState,
  initialSessionState,
  paymentId as derivePaymentId,
  refundId as deriveRefundId,
  sessionId as deriveSessionId,
  type EventEnvelope,
  type PaymentCommand,
  type PaymentState,
  type SessionCommand,
  type SessionState,
} from '@x402-ledger/ledger';

export const NETWORK = 'eip155:84532';
export const ASSET = getAddress('0x036cbd53842c5426634e7929541ec2318f3dcf7e');

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** A deterministic checksummed address from a seed. */
export const addr = (seed: string) => getAddress(`0x${sha(`addr:${seed}`).slice(0, 40)}`);

class StepClock extends Clock {
  current = new Date('2026-03-01T00:00:00.000Z');
  now(): Date {
    return new Date(this.current.getTime());
  }
}

export interface PaymentSpec {
  tenant: string;
  payTo: string;
  payer: string;
  amount: bigint;
  at: Date;
  resource?: string;
  outcome?: 'settled' | 'verified' | 'settlement_failed';
  network?: string;
  asset?: string;
}

export interface WrittenPayment {
  paymentId: string;
  tenant: string;
  spec: PaymentSpec;
  txHash: string | null;
}

/**
 * Writes ledger facts the way the product does: commands decided by the ledger's aggregates (decidePayment /
 * decideSession), envelopes built by the ledger's EventFactory (deterministic ids, validated contracts). The envelopes
 * are what goes on the EventLog and through the analytics projector — no hand-made rows.
 */
export class LedgerWriter {
  readonly envelopes: EventEnvelope[] = [];
  private readonly clock = new StepClock();
  private readonly factory = new EventFactory(this.clock);
  private readonly payments = new Map<string, PaymentState>();
  private readonly sessions = new Map<string, SessionState>();
  private counter = 0;
  private readonly discoverySequences = new Map<string, number>();

  /** Envelopes written since `from` (an index into `envelopes`). */
  since(from: number): EventEnvelope[] {
    return this.envelopes.slice(from);
  }

  payment(spec: PaymentSpec): WrittenPayment {
    const n = this.counter++;
    const nonce = `0x${sha(`nonce:${n}:${spec.tenant}`)}`;
    const network = spec.network ?? NETWORK;
    const asset = spec.asset ?? ASSET;
    const paymentId = derivePaymentId({ network, asset, payer: spec.payer, nonce });
    const common = {
      paymentId,
      scheme: 'exact',
      network,
      asset,
      amount: spec.amount.toString(),
      payer: spec.payer,
      payTo: spec.payTo,
      resourceUrl: spec.resource ?? 'https://api.example.com/weather',
    };
    const t = spec.at.getTime();
    this.onPayment(spec.tenant, paymentId, t - 3000, {
      type: 'RecordVerified',
      data: {
        ...common,
        nonce,
        validAfter: '0',
        validBefore: '9999999999',
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
    });
    const outcome = spec.outcome ?? 'settled';
    if (outcome === 'verified') return { paymentId, tenant: spec.tenant, spec, txHash: null };
    const txHash = `0x${sha(`tx:${n}:${spec.tenant}`)}`;
    const signer = addr('facilitator');
    this.onPayment(spec.tenant, paymentId, t - 1500, {
      type: 'RecordSettlementSubmitted',
      data: { ...common, txHash, signer, submittedAt: new Date(t - 1500).toISOString() },
    });
    if (outcome === 'settlement_failed') {
      this.onPayment(spec.tenant, paymentId, t, {
        type: 'RecordSettlementFailed',
        data: { ...common, reason: 'invalid_exact_evm_transaction_failed', message: 'reverted', txHash },
      });
      return { paymentId, tenant: spec.tenant, spec, txHash };
    }
    this.onPayment(spec.tenant, paymentId, t, {
      type: 'RecordSettled',
      data: {
        ...common,
        txHash,
        blockNumber: String(1000 + n),
        blockTimestamp: spec.at.toISOString(),
        logIndex: 0,
        gasUsed: '60000',
        effectiveGasPrice: '1000000000',
        signer,
      },
    });
    return { paymentId, tenant: spec.tenant, spec, txHash };
  }

  verificationFailure(spec: { tenant: string; payTo: string; payer: string; at: Date; reason: string }): string {
    const n = this.counter++;
    const nonce = `0x${sha(`failed-nonce:${n}`)}`;
    const paymentId = derivePaymentId({ network: NETWORK, asset: ASSET, payer: spec.payer, nonce });
    this.onPayment(spec.tenant, paymentId, spec.at.getTime(), {
      type: 'RecordVerificationFailed',
      data: {
        paymentId,
        scheme: 'exact',
        network: NETWORK,
        asset: ASSET,
        amount: '1000',
        payer: spec.payer,
        payTo: spec.payTo,
        resourceUrl: 'https://api.example.com/weather',
        reason: spec.reason,
        message: null,
      },
    });
    return paymentId;
  }

  /** A refund through its whole lifecycle up to `until`. */
  refund(
    p: WrittenPayment,
    spec: { amount: bigint; at: Date; key: string; until?: 'requested' | 'approved' | 'succeeded' },
  ): string {
    const refundId = deriveRefundId({ paymentId: p.paymentId, idempotencyKey: spec.key });
    const t = spec.at.getTime();
    this.onPayment(p.tenant, p.paymentId, t - 3000, {
      type: 'RequestRefund',
      data: {
        refundId,
        paymentId: p.paymentId,
        amount: spec.amount.toString(),
        reason: 'customer_request',
        requestedBy: 'provider',
        idempotencyKey: spec.key,
      },
    });
    if (spec.until === 'requested') return refundId;
    this.onPayment(p.tenant, p.paymentId, t - 2000, { type: 'ApproveRefund', data: { refundId, approvedBy: 'ops' } });
    if (spec.until === 'approved') return refundId;
    const txHash = `0x${sha(`refund-tx:${refundId}`)}`;
    this.onPayment(p.tenant, p.paymentId, t - 1000, {
      type: 'SubmitRefund',
      data: { refundId, txHash, method: 'hot_wallet' },
    });
    this.onPayment(p.tenant, p.paymentId, t, {
      type: 'RecordRefundSucceeded',
      data: { refundId, txHash, blockNumber: '5000', amount: spec.amount.toString() },
    });
    return refundId;
  }

  dispute(p: WrittenPayment, spec: { at: Date; key: string; openedBy?: string }): string {
    const disputeId = deriveDisputeId({ paymentId: p.paymentId, idempotencyKey: spec.key });
    this.onPayment(p.tenant, p.paymentId, spec.at.getTime(), {
      type: 'OpenDispute',
      data: {
        disputeId,
        paymentId: p.paymentId,
        reason: 'not_received',
        evidence: ['https://evidence.example/1'],
        respondBy: new Date(spec.at.getTime() + 7 * 86_400_000).toISOString(),
        openedBy: spec.openedBy ?? `wallet:${p.spec.payer.toLowerCase()}`,
      },
    });
    return disputeId;
  }

  session(p: WrittenPayment, spec: { at: Date; calls?: number; spend?: bigint }): string {
    const n = this.counter++;
    const sessionId = deriveSessionId({ paymentId: p.paymentId, wallet: p.spec.payer, nonce: `siwx-${n}` });
    this.onSession(p.tenant, sessionId, spec.at.getTime(), {
      type: 'IssueSession',
      data: {
        sessionId,
        paymentId: p.paymentId,
        wallet: p.spec.payer,
        network: NETWORK,
        asset: ASSET,
        policyId: 'default',
        policyVersion: 1,
        scope: { methods: ['GET'], routes: ['/weather'] },
        expiresAt: new Date(spec.at.getTime() + 3_600_000).toISOString(),
        maxCalls: null,
        budget: null,
      },
    });
    if (spec.calls) {
      this.onSession(p.tenant, sessionId, spec.at.getTime() + 60_000, {
        type: 'RecordSessionUsage',
        data: {
          sessionId,
          calls: spec.calls,
          spend: (spec.spend ?? 0n).toString(),
          windowStart: new Date(spec.at.getTime() + 1000).toISOString(),
          windowEnd: new Date(spec.at.getTime() + 60_000).toISOString(),
        },
      });
    }
    return sessionId;
  }

  /** A discovery (bazaar) listing, built by the ledger's EventFactory. */
  discovery(spec: { tenant: string; resourceUrl: string; payTo: string; at: Date; version?: number }): void {
    this.clock.current = spec.at;
    const streamId = discoveryStreamId(spec.resourceUrl);
    const last = this.discoverySequences.get(streamId) ?? 0;
    const envelopes = this.factory.create(
      { streamType: 'discovery', streamId, lastSequence: last },
      [
        {
          type: 'discovery.resource_updated',
          data: {
            resourceUrl: spec.resourceUrl,
            type: 'http',
            accepts: [{ scheme: 'exact', network: NETWORK, asset: ASSET, payTo: spec.payTo, amount: '1000' }],
            metadata: { description: `v${spec.version ?? 1}` },
            lastUpdated: spec.at.toISOString(),
          },
        },
      ],
      { tenant: spec.tenant, correlationId: 'test-discovery', causationId: null, producer: 'api-test@0.0.0' },
    );
    this.discoverySequences.set(streamId, last + envelopes.length);
    this.envelopes.push(...envelopes);
  }

  private onPayment(tenant: string, paymentId: string, atMs: number, command: PaymentCommand): void {
    this.clock.current = new Date(atMs);
    const state = this.payments.get(paymentId) ?? initialPaymentState();
    const drafts = decidePayment(state, { ...command, occurredAt: new Date(atMs).toISOString() } as PaymentCommand, {
      tenant,
      now: this.clock.now(),
    });
    const envelopes = this.factory.create(
      { streamType: 'payment', streamId: paymentId, lastSequence: state.sequence },
      drafts,
      {
        tenant,
        correlationId: `test-${paymentId.slice(0, 8)}`,
        causationId: null,
        producer: 'api-test@0.0.0',
      },
    );
    this.payments.set(paymentId, envelopes.reduce(evolvePayment, state));
    this.envelopes.push(...envelopes);
  }

  private onSession(tenant: string, sessionId: string, atMs: number, command: SessionCommand): void {
    this.clock.current = new Date(atMs);
    const state = this.sessions.get(sessionId) ?? initialSessionState();
    const drafts = decideSession(state, { ...command, occurredAt: new Date(atMs).toISOString() } as SessionCommand, {
      tenant,
      now: this.clock.now(),
    });
    const envelopes = this.factory.create(
      { streamType: 'session', streamId: sessionId, lastSequence: state.sequence },
      drafts,
      {
        tenant,
        correlationId: `test-${sessionId.slice(0, 8)}`,
        causationId: null,
        producer: 'api-test@0.0.0',
      },
    );
    this.sessions.set(sessionId, envelopes.reduce(evolveSession, state));
    this.envelopes.push(...envelopes);
  }
}
