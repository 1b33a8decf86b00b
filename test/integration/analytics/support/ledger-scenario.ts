import { createHash } from 'node:crypto';

import type { EventEnvelope } from '@x402-ledger/ledger';
import type { LoggedEvent } from '@x402-ledger/event-log';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const hex40 = (seed: string) => `0x${sha(seed).slice(0, 40)}`;
const hex64 = (seed: string) => `0x${sha(seed)}`;

export const NETWORK = 'eip155:84532';
export const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

export interface PaymentSpec {
  amount: bigint;
  at: Date;
  payer?: string;
  payTo?: string;
  resource?: string | null;
  tenant?: string;
  /** Submission → settlement, ms (default 1500). */
  latencyMs?: number;
  gasUsed?: bigint;
  gasPrice?: bigint;
  /** 'settled' (default), 'failed' (settlement fails), 'verified' (stops after verification). */
  outcome?: 'settled' | 'failed' | 'verified';
}

export interface PaymentHandle {
  paymentId: string;
  tenant: string;
  spec: Required<Omit<PaymentSpec, 'resource'>> & { resource: string | null };
}

/**
 * Builds envelopes the way the ledger does (deterministic ids: sha256(streamId|type|sequence); payment id from
 * network|asset|payer|nonce), with the v1 data fields of libs/ledger/src/events. Events are collected per stream in
 * order; `all()` returns them in creation order.
 */
export class LedgerScenario {
  private readonly sequences = new Map<string, number>();
  private readonly events: EventEnvelope[] = [];
  private counter = 0;

  /** `seed` keeps ids of two scenarios apart (payers, nonces and so payment ids derive from it). */
  constructor(
    private readonly defaultTenant = 'tenant-a',
    private readonly seed = 's',
  ) {}

  all(): EventEnvelope[] {
    return [...this.events];
  }

  private emit(
    streamType: EventEnvelope['streamType'],
    streamId: string,
    type: string,
    at: Date,
    data: Record<string, unknown>,
    tenant: string,
  ): EventEnvelope {
    const sequence = (this.sequences.get(streamId) ?? 0) + 1;
    this.sequences.set(streamId, sequence);
    const envelope: EventEnvelope = {
      id: sha(`${streamId}|${type}|${sequence}`),
      type,
      version: 1,
      streamType,
      streamId,
      sequence,
      occurredAt: at.toISOString(),
      recordedAt: at.toISOString(),
      tenant,
      correlationId: `corr-${streamId.slice(0, 8)}`,
      causationId: null,
      producer: 'test@0.0.0',
      data,
    };
    this.events.push(envelope);
    return envelope;
  }

  payment(spec: PaymentSpec): PaymentHandle {
    const n = `${this.seed}-${this.counter++}`;
    const full = {
      amount: spec.amount,
      at: spec.at,
      payer: spec.payer ?? hex40(`payer-${n}`),
      payTo: spec.payTo ?? hex40('merchant'),
      resource: spec.resource === undefined ? 'https://api.example.com/weather' : spec.resource,
      tenant: spec.tenant ?? this.defaultTenant,
      latencyMs: spec.latencyMs ?? 1500,
      gasUsed: spec.gasUsed ?? 60_000n,
      gasPrice: spec.gasPrice ?? 1_000_000_000n,
      outcome: spec.outcome ?? 'settled',
    };
    const nonce = hex64(`nonce-${n}`);
    const paymentId = sha(`${NETWORK}|${ASSET.toLowerCase()}|${full.payer.toLowerCase()}|${nonce.toLowerCase()}`);
    const common = {
      paymentId,
      scheme: 'exact',
      network: NETWORK,
      asset: ASSET,
      amount: full.amount.toString(),
      payer: full.payer,
      payTo: full.payTo,
      resourceUrl: full.resource,
    };
    const t0 = full.at.getTime() - full.latencyMs - 50;
    this.emit(
      'payment',
      paymentId,
      'payment.verified',
      new Date(t0),
      {
        ...common,
        nonce,
        validAfter: '0',
        validBefore: '9999999999',
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
      full.tenant,
    );
    if (full.outcome !== 'verified') {
      const submittedAt = new Date(full.at.getTime() - full.latencyMs);
      const txHash = hex64(`tx-${n}`);
      const signer = hex40('facilitator');
      this.emit(
        'payment',
        paymentId,
        'payment.settlement_submitted',
        submittedAt,
        {
          ...common,
          txHash,
          signer,
          submittedAt: submittedAt.toISOString(),
        },
        full.tenant,
      );
      if (full.outcome === 'settled') {
        this.emit(
          'payment',
          paymentId,
          'payment.settled',
          full.at,
          {
            ...common,
            txHash,
            blockNumber: String(1000 + this.counter),
            blockTimestamp: full.at.toISOString(),
            logIndex: 0,
            gasUsed: full.gasUsed.toString(),
            effectiveGasPrice: full.gasPrice.toString(),
            signer,
          },
          full.tenant,
        );
      } else {
        this.emit(
          'payment',
          paymentId,
          'payment.settlement_failed',
          full.at,
          {
            ...common,
            reason: 'transaction_failed',
            message: 'reverted',
            txHash,
          },
          full.tenant,
        );
      }
    }
    return { paymentId, tenant: full.tenant, spec: full };
  }

  verificationFailure(spec: {
    at: Date;
    reason: string;
    amount?: bigint;
    tenant?: string;
    brokenPayload?: boolean;
  }): void {
    const n = `${this.seed}-${this.counter++}`;
    const payer = spec.brokenPayload ? null : hex40(`payer-${n}`);
    const paymentId = spec.brokenPayload ? null : sha(`failed-${n}`);
    const streamId = paymentId ?? sha(`raw-payload-${n}`);
    this.emit(
      'payment',
      streamId,
      'payment.verification_failed',
      spec.at,
      {
        paymentId,
        scheme: 'exact',
        network: NETWORK,
        asset: ASSET,
        amount: (spec.amount ?? 1000n).toString(),
        payer,
        payTo: hex40('merchant'),
        resourceUrl: 'https://api.example.com/weather',
        reason: spec.reason,
        message: null,
      },
      spec.tenant ?? this.defaultTenant,
    );
  }

  refund(
    payment: PaymentHandle,
    spec: {
      amount: bigint;
      at: Date;
      reason?: string;
      outcome?: 'succeeded' | 'failed' | 'requested';
      disputeId?: string;
    },
  ): string {
    const n = `${this.seed}-${this.counter++}`;
    const refundId = sha(`refund|${payment.paymentId}|key-${n}`);
    const { tenant } = payment;
    const t = spec.at.getTime();
    this.emit(
      'payment',
      payment.paymentId,
      'refund.requested',
      new Date(t - 3000),
      {
        refundId,
        paymentId: payment.paymentId,
        amount: spec.amount.toString(),
        reason: spec.reason ?? 'customer_request',
        requestedBy: 'provider',
        idempotencyKey: `key-${n}`,
        ...(spec.disputeId ? { disputeId: spec.disputeId } : {}),
      },
      tenant,
    );
    if (spec.outcome === 'requested') return refundId;
    this.emit(
      'payment',
      payment.paymentId,
      'refund.approved',
      new Date(t - 2000),
      { refundId, approvedBy: 'ops' },
      tenant,
    );
    const txHash = hex64(`refund-tx-${n}`);
    this.emit(
      'payment',
      payment.paymentId,
      'refund.submitted',
      new Date(t - 1000),
      { refundId, txHash, method: 'hot_wallet' },
      tenant,
    );
    if (spec.outcome === 'failed') {
      this.emit(
        'payment',
        payment.paymentId,
        'refund.failed',
        spec.at,
        { refundId, reason: 'reverted', txHash },
        tenant,
      );
    } else {
      this.emit(
        'payment',
        payment.paymentId,
        'refund.succeeded',
        spec.at,
        {
          refundId,
          txHash,
          blockNumber: String(5000 + this.counter),
          amount: spec.amount.toString(),
        },
        tenant,
      );
    }
    return refundId;
  }

  dispute(
    payment: PaymentHandle,
    spec: {
      at: Date;
      respondBy: Date;
      reason?: string;
      outcome?: 'won' | 'lost' | 'withdrawn' | 'open';
      decidedAt?: Date;
    },
  ): string {
    const n = `${this.seed}-${this.counter++}`;
    const disputeId = sha(`dispute|${payment.paymentId}|key-${n}`);
    const { tenant } = payment;
    this.emit(
      'payment',
      payment.paymentId,
      'dispute.opened',
      spec.at,
      {
        disputeId,
        paymentId: payment.paymentId,
        reason: spec.reason ?? 'not_received',
        evidence: ['https://evidence.example/1'],
        respondBy: spec.respondBy.toISOString(),
        openedBy: 'payer',
      },
      tenant,
    );
    const decidedAt = spec.decidedAt ?? new Date(spec.at.getTime() + 3_600_000);
    if (spec.outcome === 'won' || spec.outcome === 'lost') {
      this.emit(
        'payment',
        payment.paymentId,
        'dispute.evidence_submitted',
        new Date(spec.at.getTime() + 60_000),
        {
          disputeId,
          party: 'provider',
          evidence: ['receipt'],
        },
        tenant,
      );
      this.emit(
        'payment',
        payment.paymentId,
        'dispute.under_review',
        new Date(spec.at.getTime() + 120_000),
        { disputeId },
        tenant,
      );
      this.emit(
        'payment',
        payment.paymentId,
        `dispute.${spec.outcome}`,
        decidedAt,
        { disputeId, decidedBy: 'arbiter', note: null },
        tenant,
      );
    } else if (spec.outcome === 'withdrawn') {
      this.emit('payment', payment.paymentId, 'dispute.withdrawn', decidedAt, { disputeId }, tenant);
    }
    return disputeId;
  }

  session(
    payment: PaymentHandle,
    spec: { at: Date; uses?: { at: Date; calls: number; spend: bigint }[]; end?: 'revoked' | 'expired'; endAt?: Date },
  ): string {
    const n = `${this.seed}-${this.counter++}`;
    const sessionId = sha(`session|${payment.paymentId}|${n}`);
    const { tenant } = payment;
    this.emit(
      'session',
      sessionId,
      'session.issued',
      spec.at,
      {
        sessionId,
        paymentId: payment.paymentId,
        wallet: payment.spec.payer,
        network: NETWORK,
        asset: ASSET,
        policyId: 'default',
        policyVersion: 1,
        scope: { methods: ['GET'], routes: ['/weather'] },
        expiresAt: new Date(spec.at.getTime() + 3_600_000).toISOString(),
        maxCalls: null,
        budget: null,
      },
      tenant,
    );
    for (const use of spec.uses ?? []) {
      this.emit(
        'session',
        sessionId,
        'session.used',
        use.at,
        {
          sessionId,
          calls: use.calls,
          spend: use.spend.toString(),
          windowStart: new Date(use.at.getTime() - 1000).toISOString(),
          windowEnd: use.at.toISOString(),
        },
        tenant,
      );
    }
    if (spec.end === 'revoked') {
      this.emit(
        'session',
        sessionId,
        'session.revoked',
        spec.endAt ?? spec.at,
        { sessionId, reason: 'abuse', revokedBy: 'ops' },
        tenant,
      );
    } else if (spec.end === 'expired') {
      this.emit('session', sessionId, 'session.expired', spec.endAt ?? spec.at, { sessionId }, tenant);
    }
    return sessionId;
  }
}

/** Wraps envelopes as log records at consecutive offsets of partition 0 (for feeding Projector.handleBatch directly). */
export function asLogged(envelopes: readonly EventEnvelope[], firstOffset = 0, partition = 0): LoggedEvent[] {
  return envelopes.map((envelope, i) => ({ envelope, position: { partition, offset: String(firstOffset + i) } }));
}
