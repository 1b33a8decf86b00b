import { createHash } from 'node:crypto';

import type { LoggedEvent } from '@x402-ledger/event-log';
import {
  Clock,
  disputeId as disputeIdOf,
  EventFactory,
  paymentId as paymentIdOf,
  refundId as refundIdOf,
  sessionId as sessionIdOf,
  type EventDraft,
  type EventEnvelope,
  type StreamType,
} from '@x402-ledger/ledger';

/**
 * A realistic two-day history of two tenants, built with the ledger's own EventFactory (so every envelope passes the
 * v1 event contracts) and projected by the real Projector: settled, failed, pending and verify-only payments on several
 * networks and assets (6 and 18 decimals), verification failures, refunds in every state, disputes in every state and
 * deadline bucket, duplicate charges, and sessions with usage, budgets, call limits, revocations and expiries.
 *
 * Every (merchant, network, asset) combination of tenant-a receives every feature, so every panel has rows whatever
 * single payTo / network / asset is selected. Times are relative to `now` (floored to the minute).
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';

export interface AssetInfo {
  network: string;
  address: string;
  decimals: number;
}

export const BASE_USDC: AssetInfo = {
  network: 'eip155:8453',
  address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  decimals: 6,
};
export const BASE_DAI: AssetInfo = {
  network: 'eip155:8453',
  address: '0x50c5725949A6F0c72E6C4a641F24049A917DB0Cb',
  decimals: 18,
};
export const SEPOLIA_USDC: AssetInfo = {
  network: 'eip155:84532',
  address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  decimals: 6,
};

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const address = (seed: string) => `0x${sha(seed).slice(0, 40)}`;
const hash32 = (seed: string) => `0x${sha(seed)}`;

export const MERCHANT_1 = address('merchant-1');
export const MERCHANT_2 = address('merchant-2');
export const MERCHANT_3 = address('merchant-3');
const FACILITATOR_SIGNER = address('facilitator-signer');

/** The combinations that receive the full feature set. */
export const COMBOS: readonly { tenant: string; payTo: string; asset: AssetInfo }[] = [
  { tenant: TENANT_A, payTo: MERCHANT_1, asset: BASE_USDC },
  { tenant: TENANT_A, payTo: MERCHANT_1, asset: BASE_DAI },
  { tenant: TENANT_A, payTo: MERCHANT_1, asset: SEPOLIA_USDC },
  { tenant: TENANT_A, payTo: MERCHANT_2, asset: BASE_USDC },
  { tenant: TENANT_B, payTo: MERCHANT_3, asset: SEPOLIA_USDC },
];

const RESOURCES = [
  'https://api.example.com/weather',
  'https://api.example.com/quotes',
  'https://api.example.com/search',
  'https://api.example.com/images',
];
const VERIFY_FAILURES = [
  'invalid_exact_evm_signature',
  'invalid_exact_evm_payload_authorization_valid_before',
  'insufficient_funds',
];

/** mulberry32: deterministic, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SettableClock extends Clock {
  time = new Date(0);
  now(): Date {
    return this.time;
  }
}

interface Payment {
  paymentId: string;
  tenant: string;
  payer: string;
  payTo: string;
  asset: AssetInfo;
  amount: bigint;
  resource: string;
  settledAt: Date;
}

/** Expected figures (atomic units) per tenant, to check a few panel values against. */
export interface Expected {
  settled: number;
  grossAtomicByAsset: Map<string, bigint>;
  pendingSubmitted: number;
  openDisputes: number;
}

export class DashboardScenario {
  private readonly clock = new SettableClock();
  private readonly factory = new EventFactory(this.clock);
  private readonly sequences = new Map<string, number>();
  private readonly envelopes: EventEnvelope[] = [];
  private readonly rnd: () => number;
  private counter = 0;
  readonly expected = new Map<string, Expected>();

  constructor(
    readonly now: Date,
    seed = 402,
  ) {
    this.rnd = prng(seed);
  }

  /** Decimals of the scenario's assets (what the app binds from its network registry). */
  static assetDecimals(network: string, asset: string): number | null {
    const known = [BASE_USDC, BASE_DAI, SEPOLIA_USDC].find(
      (a) => a.network === network && a.address.toLowerCase() === asset.toLowerCase(),
    );
    return known ? known.decimals : null;
  }

  /** Builds the whole history. */
  build(): this {
    for (const combo of COMBOS) this.combo(combo.tenant, combo.payTo, combo.asset);
    return this;
  }

  /** Every envelope, in occurredAt order (then stream order). */
  events(): EventEnvelope[] {
    return [...this.envelopes].sort(
      (a, b) =>
        a.occurredAt.localeCompare(b.occurredAt) || a.streamId.localeCompare(b.streamId) || a.sequence - b.sequence,
    );
  }

  /** The events as log records, grouped in batches of one simulated hour of log time. */
  batches(): { projectedAt: Date; records: LoggedEvent[] }[] {
    const slots = new Map<number, LoggedEvent[]>();
    let offset = 0;
    for (const envelope of this.events()) {
      const slot = Math.floor(Date.parse(envelope.recordedAt) / (10 * MINUTE));
      const list = slots.get(slot) ?? [];
      list.push({ envelope, position: { partition: 0, offset: String(offset++) } });
      slots.set(slot, list);
    }
    return [...slots.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, records]) => ({
        // The projector picks a slot up shortly after its last record was recorded.
        projectedAt: new Date(
          Math.max(...records.map((r) => Date.parse(r.envelope.recordedAt))) + 200 + Math.floor(this.rnd() * 800),
        ),
        records,
      }));
  }

  private expect(tenant: string): Expected {
    let e = this.expected.get(tenant);
    if (!e) {
      e = { settled: 0, grossAtomicByAsset: new Map(), pendingSubmitted: 0, openDisputes: 0 };
      this.expected.set(tenant, e);
    }
    return e;
  }

  private at(msBeforeNow: number): Date {
    return new Date(this.now.getTime() - msBeforeNow);
  }

  private emit(streamType: StreamType, streamId: string, tenant: string, at: Date, draft: EventDraft): void {
    const lastSequence = this.sequences.get(streamId) ?? 0;
    this.clock.time = new Date(at.getTime() + 20 + Math.floor(this.rnd() * 60));
    const [envelope] = this.factory.create(
      { streamType, streamId, lastSequence },
      [{ ...draft, occurredAt: at.toISOString() } as EventDraft],
      { tenant, correlationId: `corr-${streamId.slice(0, 12)}`, causationId: null, producer: 'dashboard-scenario@1' },
    );
    this.sequences.set(streamId, lastSequence + 1);
    this.envelopes.push(envelope);
  }

  private amountFor(asset: AssetInfo): bigint {
    // 0.001 – 2.5 tokens
    const cents = BigInt(1 + Math.floor(this.rnd() * 2500));
    return (cents * 10n ** BigInt(asset.decimals)) / 1000n;
  }

  private common(p: Omit<Payment, 'settledAt'>) {
    return {
      paymentId: p.paymentId,
      scheme: 'exact',
      network: p.asset.network,
      asset: p.asset.address,
      amount: p.amount.toString(),
      payer: p.payer,
      payTo: p.payTo,
      resourceUrl: p.resource,
    };
  }

  /** verified → (submitted → settled | settlement_failed) | stays verified | stays submitted. */
  payment(
    tenant: string,
    payTo: string,
    asset: AssetInfo,
    spec: {
      at: Date;
      outcome: 'settled' | 'failed' | 'verified' | 'pending';
      payer?: string;
      amount?: bigint;
      resource?: string;
    },
  ): Payment {
    const n = this.counter++;
    const payer = spec.payer ?? address(`payer-${Math.floor(this.rnd() * 25)}`);
    const nonce = hash32(`nonce-${tenant}-${n}`);
    const paymentId = paymentIdOf({ network: asset.network, asset: asset.address, payer, nonce });
    const p = {
      paymentId,
      tenant,
      payer,
      payTo,
      asset,
      amount: spec.amount ?? this.amountFor(asset),
      resource: spec.resource ?? RESOURCES[Math.floor(this.rnd() * RESOURCES.length)],
    };
    const latency = 800 + Math.floor(this.rnd() * 4200);
    const submittedAt = new Date(spec.at.getTime() - latency);
    const verifiedAt = new Date(submittedAt.getTime() - 40 - Math.floor(this.rnd() * 200));
    const common = this.common(p);
    this.emit('payment', paymentId, tenant, verifiedAt, {
      type: 'payment.verified',
      data: {
        ...common,
        nonce,
        validAfter: '0',
        validBefore: String(Math.floor(spec.at.getTime() / 1000) + 300),
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
    });
    if (spec.outcome === 'verified') return { ...p, settledAt: spec.at };
    const txHash = hash32(`tx-${paymentId}`);
    this.emit('payment', paymentId, tenant, submittedAt, {
      type: 'payment.settlement_submitted',
      data: { ...common, txHash, signer: FACILITATOR_SIGNER, submittedAt: submittedAt.toISOString() },
    });
    if (spec.outcome === 'pending') {
      this.expect(tenant).pendingSubmitted++;
      return { ...p, settledAt: spec.at };
    }
    if (spec.outcome === 'failed') {
      this.emit('payment', paymentId, tenant, spec.at, {
        type: 'payment.settlement_failed',
        data: {
          ...common,
          reason: this.rnd() < 0.5 ? 'transaction_failed' : 'nonce_already_used',
          message: 'reverted',
          txHash,
        },
      });
      return { ...p, settledAt: spec.at };
    }
    const gasUsed = 52_000n + BigInt(Math.floor(this.rnd() * 20_000));
    const gasPrice = BigInt(Math.floor((0.005 + this.rnd() * 0.05) * 1e9));
    this.emit('payment', paymentId, tenant, spec.at, {
      type: 'payment.settled',
      data: {
        ...common,
        txHash,
        blockNumber: String(20_000_000 + n),
        blockTimestamp: spec.at.toISOString(),
        logIndex: n % 7,
        gasUsed: gasUsed.toString(),
        effectiveGasPrice: gasPrice.toString(),
        signer: FACILITATOR_SIGNER,
      },
    });
    const e = this.expect(tenant);
    e.settled++;
    const key = `${asset.network}|${asset.address.toLowerCase()}`;
    e.grossAtomicByAsset.set(key, (e.grossAtomicByAsset.get(key) ?? 0n) + p.amount);
    return { ...p, settledAt: spec.at };
  }

  verificationFailure(tenant: string, payTo: string, asset: AssetInfo, at: Date, reason: string, broken = false): void {
    const n = this.counter++;
    const payer = broken ? null : address(`payer-${Math.floor(this.rnd() * 25)}`);
    const paymentId =
      broken || !payer
        ? null
        : paymentIdOf({ network: asset.network, asset: asset.address, payer, nonce: hash32(`bad-${n}`) });
    const streamId = paymentId ?? sha(`raw-payload-${tenant}-${n}`);
    this.emit('payment', streamId, tenant, at, {
      type: 'payment.verification_failed',
      data: {
        paymentId,
        scheme: 'exact',
        network: asset.network,
        asset: asset.address,
        amount: this.amountFor(asset).toString(),
        payer,
        payTo,
        resourceUrl: RESOURCES[n % RESOURCES.length],
        reason,
        message: null,
      },
    });
  }

  refund(
    p: Payment,
    spec: {
      at: Date;
      amount: bigint;
      outcome: 'succeeded' | 'failed' | 'requested' | 'canceled';
      reason?: string;
      requestedBy?: 'provider' | 'payer' | 'arbiter';
      disputeId?: string;
    },
  ): void {
    const key = `key-${this.counter++}`;
    const refundId = refundIdOf({ paymentId: p.paymentId, idempotencyKey: key });
    const t = spec.at.getTime();
    this.emit('payment', p.paymentId, p.tenant, new Date(t - 90_000 - Math.floor(this.rnd() * 600_000)), {
      type: 'refund.requested',
      data: {
        refundId,
        paymentId: p.paymentId,
        amount: spec.amount.toString(),
        reason: spec.reason ?? 'customer_request',
        requestedBy: spec.requestedBy ?? 'provider',
        idempotencyKey: key,
        ...(spec.disputeId ? { disputeId: spec.disputeId } : {}),
      },
    });
    if (spec.outcome === 'requested') return;
    if (spec.outcome === 'canceled') {
      this.emit('payment', p.paymentId, p.tenant, spec.at, {
        type: 'refund.canceled',
        data: { refundId, reason: 'resolved otherwise' },
      });
      return;
    }
    this.emit('payment', p.paymentId, p.tenant, new Date(t - 60_000), {
      type: 'refund.approved',
      data: { refundId, approvedBy: 'ops' },
    });
    const txHash = hash32(`refund-tx-${refundId}`);
    this.emit('payment', p.paymentId, p.tenant, new Date(t - 30_000), {
      type: 'refund.submitted',
      data: { refundId, txHash, method: 'hot_wallet' },
    });
    if (spec.outcome === 'failed') {
      this.emit('payment', p.paymentId, p.tenant, spec.at, {
        type: 'refund.failed',
        data: { refundId, reason: 'reverted', txHash },
      });
    } else {
      this.emit('payment', p.paymentId, p.tenant, spec.at, {
        type: 'refund.succeeded',
        data: { refundId, txHash, blockNumber: String(30_000_000 + this.counter), amount: spec.amount.toString() },
      });
    }
  }

  dispute(
    p: Payment,
    spec: {
      at: Date;
      respondBy: Date;
      outcome: 'open' | 'under_review' | 'won' | 'lost' | 'withdrawn';
      reason?: 'not_received' | 'not_as_described' | 'duplicate' | 'fraudulent' | 'unauthorized' | 'other';
      decidedAt?: Date;
    },
  ): void {
    const key = `dispute-${this.counter++}`;
    const disputeId = disputeIdOf({ paymentId: p.paymentId, idempotencyKey: key });
    this.emit('payment', p.paymentId, p.tenant, spec.at, {
      type: 'dispute.opened',
      data: {
        disputeId,
        paymentId: p.paymentId,
        reason: spec.reason ?? 'not_received',
        evidence: ['https://evidence.example/claim'],
        respondBy: spec.respondBy.toISOString(),
        openedBy: 'payer',
      },
    });
    if (spec.outcome === 'open') {
      this.expect(p.tenant).openDisputes++;
      return;
    }
    const decidedAt = spec.decidedAt ?? new Date(spec.at.getTime() + 2 * HOUR);
    const reviewAt = new Date(Math.min(spec.at.getTime() + 10 * MINUTE, decidedAt.getTime() - 2 * MINUTE));
    this.emit('payment', p.paymentId, p.tenant, new Date(reviewAt.getTime() - MINUTE), {
      type: 'dispute.evidence_submitted',
      data: { disputeId, party: 'provider', evidence: ['receipt', 'server log'] },
    });
    if (spec.outcome === 'withdrawn') {
      this.emit('payment', p.paymentId, p.tenant, decidedAt, { type: 'dispute.withdrawn', data: { disputeId } });
      return;
    }
    this.emit('payment', p.paymentId, p.tenant, reviewAt, { type: 'dispute.under_review', data: { disputeId } });
    if (spec.outcome === 'under_review') {
      this.expect(p.tenant).openDisputes++;
      return;
    }
    this.emit('payment', p.paymentId, p.tenant, decidedAt, {
      type: spec.outcome === 'won' ? 'dispute.won' : 'dispute.lost',
      data: { disputeId, decidedBy: 'arbiter', note: null },
    });
    if (spec.outcome === 'lost') {
      this.refund(p, {
        at: new Date(decidedAt.getTime() + 5 * MINUTE),
        amount: p.amount,
        outcome: 'succeeded',
        reason: 'dispute lost',
        requestedBy: 'arbiter',
        disputeId,
      });
    }
  }

  session(
    p: Payment,
    spec: {
      uses: number;
      budget?: bigint;
      maxCalls?: number;
      end?: 'revoked' | 'expired';
      revokeReason?: string;
      lifetimeMs?: number;
    },
  ): void {
    const issuedAt = new Date(p.settledAt.getTime() + 1000);
    const sessionId = sessionIdOf({ paymentId: p.paymentId, wallet: p.payer, nonce: `siwx${this.counter++}nonce` });
    const lifetime = spec.lifetimeMs ?? HOUR;
    const expiresAt = new Date(issuedAt.getTime() + lifetime);
    this.emit('session', sessionId, p.tenant, issuedAt, {
      type: 'session.issued',
      data: {
        sessionId,
        paymentId: p.paymentId,
        wallet: p.payer,
        network: p.asset.network,
        asset: p.asset.address,
        policyId: spec.budget ? 'metered' : 'default',
        policyVersion: 1,
        scope: { methods: ['GET'], routes: ['/weather', '/quotes'] },
        expiresAt: expiresAt.toISOString(),
        maxCalls: spec.maxCalls ?? null,
        budget: spec.budget === undefined ? null : spec.budget.toString(),
      },
    });
    let last = issuedAt.getTime();
    const endAt = Math.min(
      spec.end === 'revoked' ? issuedAt.getTime() + lifetime / 2 : expiresAt.getTime(),
      this.now.getTime() - MINUTE,
    );
    const step = Math.max(Math.floor((endAt - last) / (spec.uses + 1)), 1000);
    const perCallSpend = spec.budget ? spec.budget / BigInt(Math.max(spec.uses * 8, 1)) : 0n;
    for (let i = 0; i < spec.uses; i++) {
      const windowEnd = last + step;
      if (windowEnd >= this.now.getTime()) break;
      const calls = 1 + Math.floor(this.rnd() * 12);
      this.emit('session', sessionId, p.tenant, new Date(windowEnd), {
        type: 'session.used',
        data: {
          sessionId,
          calls,
          spend: (perCallSpend * BigInt(calls)).toString(),
          windowStart: new Date(last).toISOString(),
          windowEnd: new Date(windowEnd).toISOString(),
        },
      });
      last = windowEnd;
    }
    if (spec.end === 'revoked') {
      this.emit('session', sessionId, p.tenant, new Date(Math.max(last + 1000, endAt)), {
        type: 'session.revoked',
        data: { sessionId, reason: spec.revokeReason ?? 'abuse', revokedBy: 'ops' },
      });
    } else if (spec.end === 'expired' && expiresAt.getTime() < this.now.getTime()) {
      this.emit('session', sessionId, p.tenant, expiresAt, { type: 'session.expired', data: { sessionId } });
    }
  }

  /** Every feature, for one (tenant, payTo, asset). */
  private combo(tenant: string, payTo: string, asset: AssetInfo): void {
    // Settled payments over two days, busier in the last hours.
    for (let i = 0; i < 45; i++) {
      const ago = Math.floor(this.rnd() ** 1.5 * 47 * HOUR) + 2 * MINUTE;
      this.payment(tenant, payTo, asset, { at: this.at(ago), outcome: 'settled' });
    }
    for (let i = 0; i < 3; i++)
      this.payment(tenant, payTo, asset, { at: this.at((5 + i * 7) * HOUR), outcome: 'failed' });
    for (let i = 0; i < 2; i++)
      this.payment(tenant, payTo, asset, { at: this.at((3 + i * 11) * HOUR), outcome: 'verified' });
    for (let i = 0; i < 2; i++)
      this.payment(tenant, payTo, asset, { at: this.at((3 + i * 4) * MINUTE), outcome: 'pending' });
    for (let i = 0; i < 6; i++) {
      this.verificationFailure(
        tenant,
        payTo,
        asset,
        this.at((1 + i * 7) * HOUR + 17 * MINUTE),
        VERIFY_FAILURES[i % VERIFY_FAILURES.length],
        i === 5,
      );
    }

    // Duplicate charge: same payer, payTo, resource, amount within one minute.
    const dupAt = new Date(Math.floor(this.at(6 * HOUR).getTime() / MINUTE) * MINUTE + 5000);
    const dupPayer = address(`payer-dup-${tenant}-${payTo}-${asset.address}`);
    const dupAmount = this.amountFor(asset);
    this.payment(tenant, payTo, asset, {
      at: dupAt,
      outcome: 'settled',
      payer: dupPayer,
      amount: dupAmount,
      resource: RESOURCES[0],
    });
    const second = this.payment(tenant, payTo, asset, {
      at: new Date(dupAt.getTime() + 20_000),
      outcome: 'settled',
      payer: dupPayer,
      amount: dupAmount,
      resource: RESOURCES[0],
    });

    // Refunds in every state, with several reasons and requesters (on payments old enough to be refunded by now).
    const old = (hoursAgo: number) =>
      this.payment(tenant, payTo, asset, { at: this.at(hoursAgo * HOUR), outcome: 'settled' });
    const r = [old(30), old(26), old(20), old(14), old(9)];
    this.refund(r[0], {
      at: new Date(r[0].settledAt.getTime() + 40 * MINUTE),
      amount: r[0].amount,
      outcome: 'succeeded',
    });
    this.refund(r[1], {
      at: new Date(r[1].settledAt.getTime() + 3 * HOUR),
      amount: r[1].amount / 2n + 1n,
      outcome: 'succeeded',
      reason: 'partial outage',
      requestedBy: 'payer',
    });
    this.refund(r[2], {
      at: new Date(r[2].settledAt.getTime() + 20 * MINUTE),
      amount: r[2].amount,
      outcome: 'failed',
      reason: 'service_unavailable',
    });
    this.refund(r[3], {
      at: new Date(r[3].settledAt.getTime() + 10 * MINUTE),
      amount: r[3].amount,
      outcome: 'requested',
      requestedBy: 'payer',
    });
    this.refund(r[4], {
      at: new Date(r[4].settledAt.getTime() + 15 * MINUTE),
      amount: r[4].amount,
      outcome: 'canceled',
    });
    this.refund(second, {
      at: new Date(second.settledAt.getTime() + 30 * MINUTE),
      amount: second.amount,
      outcome: 'succeeded',
      reason: 'duplicate charge',
    });

    // Disputes in every state and deadline bucket, one raised as a duplicate.
    const openedAgo = (h: number) => this.at(h * HOUR);
    const disputeOn = (h: number) => old(h + 1);
    this.dispute(disputeOn(30), { at: openedAgo(30), respondBy: this.at(HOUR), outcome: 'open' });
    this.dispute(disputeOn(20), {
      at: openedAgo(20),
      respondBy: new Date(this.now.getTime() + 12 * HOUR),
      outcome: 'open',
      reason: 'not_as_described',
    });
    this.dispute(disputeOn(10), {
      at: openedAgo(10),
      respondBy: new Date(this.now.getTime() + 50 * HOUR),
      outcome: 'under_review',
    });
    this.dispute(disputeOn(9), {
      at: openedAgo(9),
      respondBy: new Date(this.now.getTime() + 5 * 24 * HOUR),
      outcome: 'open',
      reason: 'fraudulent',
    });
    this.dispute(disputeOn(40), {
      at: openedAgo(40),
      respondBy: openedAgo(20),
      outcome: 'won',
      decidedAt: openedAgo(36),
    });
    this.dispute(disputeOn(35), {
      at: openedAgo(35),
      respondBy: openedAgo(10),
      outcome: 'lost',
      decidedAt: openedAgo(26),
    });
    this.dispute(disputeOn(25), {
      at: openedAgo(25),
      respondBy: openedAgo(2),
      outcome: 'withdrawn',
      decidedAt: openedAgo(24),
    });
    this.dispute(second, {
      at: new Date(second.settledAt.getTime() + 10 * MINUTE),
      respondBy: new Date(this.now.getTime() + 20 * HOUR),
      outcome: 'open',
      reason: 'duplicate',
    });

    // Sessions: plain, metered with a budget, call-limited, revoked, expired.
    for (let i = 0; i < 12; i++) {
      const p = old(3 + i * 3);
      const kind = i % 6;
      if (kind === 0) this.session(p, { uses: 4 });
      else if (kind === 1) this.session(p, { uses: 6, budget: 10n ** BigInt(asset.decimals) * 2n });
      else if (kind === 2) this.session(p, { uses: 3, maxCalls: 100 });
      else if (kind === 3)
        this.session(p, { uses: 3, end: 'revoked', revokeReason: i % 2 ? 'abuse' : 'wallet compromised' });
      else if (kind === 4) this.session(p, { uses: 2, end: 'expired', lifetimeMs: 30 * MINUTE });
      else this.session(p, { uses: 5, budget: 10n ** BigInt(asset.decimals), maxCalls: 40 });
    }
    // Active now: a payment settled 20 minutes ago opens a session that expires in 40 minutes.
    const recent = this.payment(tenant, payTo, asset, { at: this.at(20 * MINUTE), outcome: 'settled' });
    this.session(recent, { uses: 2, budget: 10n ** BigInt(asset.decimals) });
  }
}
