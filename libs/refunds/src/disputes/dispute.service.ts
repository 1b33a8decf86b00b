import { Inject, Injectable, Logger } from '@nestjs/common';
import { actorOf, SignatureVerifier, type Principal } from '@x402-ledger/auth';
import {
  Clock,
  disputeId as deriveDisputeId,
  disputePayoutKey,
  refundId as deriveRefundId,
  type DisputeEntity,
  type DisputeStatus,
  type PaymentCommand,
  type PaymentState,
} from '@x402-ledger/ledger';
import { WorkflowIndexService } from '../index/workflow-index.service';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { REFUNDS_OPTIONS, type RefundsOptions } from '../refunds.options';
import { assertVisible, forbidden, invalidInput, isVisible } from '../refunds/payment-access';
import type { CallMeta } from '../refunds/refund.service';
import { PaymentCommandBus, type PaymentStreamHandle } from '../streams/payment-command.bus';
import { DisputeProofVerifier, type DisputeProof, type DisputeReason } from './dispute-proof';
import { disputeView, type DisputeView } from './dispute.view';

const REASONS: readonly DisputeReason[] = [
  'not_received',
  'not_as_described',
  'duplicate',
  'fraudulent',
  'unauthorized',
  'other',
];
/** decidedBy of a dispute resolved because its deadline passed without a provider response. */
export const DEADLINE_ACTOR = 'system:deadline';

export interface OpenDisputeInput {
  paymentId: string;
  reason: DisputeReason;
  /** Text, URLs or hashes (≤ 50 items of ≤ 4000 characters). */
  evidence: string[];
  proof: DisputeProof;
}

/** `accept`: the provider (or an operator) accepts the dispute: the payer wins and is refunded. `won`/`lost`: an operator's ruling. */
export type DisputeResolution = 'accept' | 'won' | 'lost';

/**
 * Dispute commands (openDispute, submitDisputeEvidence, resolveDispute, withdrawDispute) and the deadline rule.
 *
 * - The payer opens with a SIWx proof that it is the address that paid (no account needed); the dispute id is
 *   derived from the proof's nonce, so one proof opens at most one dispute. respondBy = now + the response window.
 * - The provider responds with evidence (→ under review: the deadline no longer applies); the payer may add evidence.
 * - The provider may accept (the payer wins); an operator (admin) rules won or lost. A lost dispute pays the held
 *   amount back through ONE refund the ledger requests with the decision; it is approved in the same append, then
 *   executed like any refund (hot wallet, or a provider-signed authorization).
 * - `resolveOverdue(now)`: a dispute still awaiting a response at its respondBy is decided for the payer. The deadline
 *   is a fact on the log (dispute.opened.respondBy), found by folding the log, so no timer dies with the process;
 *   the decision is idempotent (same decidedBy/note → no new fact).
 */
@Injectable()
export class DisputeService {
  private readonly logger = new Logger(DisputeService.name);
  private readonly proofs: DisputeProofVerifier;

  constructor(
    private readonly bus: PaymentCommandBus,
    private readonly indexService: WorkflowIndexService,
    private readonly clock: Clock,
    signatures: SignatureVerifier,
    @Inject(REFUNDS_OPTIONS) private readonly options: RefundsOptions,
  ) {
    this.proofs = new DisputeProofVerifier(signatures, {
      domain: options.siwxDomain,
      maxAgeSeconds: options.proofMaxAgeSeconds,
    });
  }

  async openDispute(input: OpenDisputeInput, meta: CallMeta = {}): Promise<DisputeView> {
    if (!REASONS.includes(input.reason)) throw invalidInput(`reason must be one of ${REASONS.join(', ')}`);
    const evidence = checkEvidence(input.evidence ?? [], 0);
    const payment = this.bus.peek(input.paymentId)?.payment;
    if (!payment || payment.paymentId === null || payment.payer === null) {
      throw new RefundsException(RefundsErrorCode.NOT_FOUND, `payment ${input.paymentId} not found`);
    }
    const now = this.clock.now();
    const proven = await this.proofs.verify(
      input.proof,
      { paymentId: input.paymentId, network: payment.network, payer: payment.payer },
      input.reason,
      now,
    );
    const disputeId = deriveDisputeId({ paymentId: input.paymentId, idempotencyKey: `siwx:${proven.nonce}` });
    return this.bus.withPayment(input.paymentId, async (stream) => {
      const existing = stream.state.disputes[disputeId];
      const respondBy =
        existing?.respondBy ?? new Date(now.getTime() + this.options.disputeResponseSeconds * 1000).toISOString();
      await stream.record(
        [
          {
            type: 'OpenDispute',
            data: {
              disputeId,
              paymentId: input.paymentId,
              reason: input.reason,
              evidence,
              respondBy,
              openedBy: `payer:${proven.address}`,
            },
          },
        ],
        { correlationId: meta.correlationId ?? `dispute:${disputeId}` },
      );
      return disputeView(stream.state, disputeOf(stream.state, disputeId));
    });
  }

  /** The provider's response (→ under review) or more evidence from the payer. */
  async submitEvidence(
    actor: Principal,
    input: { disputeId: string; evidence: string[] },
    meta: CallMeta = {},
  ): Promise<DisputeView> {
    const evidence = checkEvidence(input.evidence ?? [], 1);
    if (actor.kind === 'admin') throw forbidden('evidence comes from the payer or the provider');
    return this.onDispute(actor, input.disputeId, async (stream, dispute) => {
      const party = actor.kind === 'payer' ? 'payer' : 'provider';
      const commands: PaymentCommand[] = [
        { type: 'SubmitDisputeEvidence', data: { disputeId: dispute.disputeId, party, evidence } },
      ];
      if (party === 'provider') commands.push({ type: 'StartDisputeReview', data: { disputeId: dispute.disputeId } });
      await stream.record(commands, { correlationId: meta.correlationId ?? `dispute:${dispute.disputeId}` });
    });
  }

  async resolveDispute(
    actor: Principal,
    input: { disputeId: string; resolution: DisputeResolution; note?: string | null },
    meta: CallMeta = {},
  ): Promise<DisputeView> {
    if (!['accept', 'won', 'lost'].includes(input.resolution))
      throw invalidInput('resolution must be accept, won or lost');
    if (actor.kind === 'payer') throw forbidden('a payer withdraws a dispute; it does not resolve it');
    if (actor.kind === 'provider' && input.resolution !== 'accept') {
      throw forbidden('a provider may accept a dispute; only an operator rules it won or lost');
    }
    const note = input.note === undefined || input.note === null ? null : input.note.trim();
    if (note !== null && (note.length === 0 || note.length > 4000))
      throw invalidInput('note must be 1..4000 characters');
    return this.onDispute(actor, input.disputeId, async (stream, dispute) => {
      const outcome = input.resolution === 'won' ? 'won' : 'lost';
      await stream.record(decideCommands(stream.state, dispute, outcome, actorOf(actor), note), {
        correlationId: meta.correlationId ?? `dispute:${dispute.disputeId}`,
      });
    });
  }

  async withdrawDispute(actor: Principal, input: { disputeId: string }, meta: CallMeta = {}): Promise<DisputeView> {
    if (actor.kind === 'provider') throw forbidden('only the payer (or an operator) withdraws a dispute');
    return this.onDispute(actor, input.disputeId, async (stream, dispute) => {
      await stream.record([{ type: 'WithdrawDispute', data: { disputeId: dispute.disputeId } }], {
        correlationId: meta.correlationId ?? `dispute:${dispute.disputeId}`,
      });
    });
  }

  /**
   * Requests the payout of a lost dispute again after its payout refund failed or was canceled (the next
   * `disputePayoutKey(disputeId, n)`), approved at once. The provider or an operator asks; idempotent while one is
   * in flight or paid.
   */
  async retryPayout(actor: Principal, input: { disputeId: string }, meta: CallMeta = {}): Promise<DisputeView> {
    if (actor.kind === 'payer') throw forbidden('the provider or an operator retries a payout');
    return this.onDispute(actor, input.disputeId, async (stream, dispute) => {
      if (dispute.status !== 'lost')
        throw invalidInput(`dispute ${dispute.disputeId} is ${dispute.status}; only a lost one pays out`);
      if (dispute.paidOut || dispute.payoutRefundId !== null) return;
      const paymentId = stream.state.payment!.paymentId!;
      const attempts = Object.values(stream.state.refunds).filter((r) => r.disputeId === dispute.disputeId).length;
      const idempotencyKey = disputePayoutKey(dispute.disputeId, attempts + 1);
      const refundId = deriveRefundId({ paymentId, idempotencyKey });
      await stream.record(
        [
          {
            type: 'RequestRefund',
            data: {
              refundId,
              paymentId,
              amount: dispute.amount,
              reason: `dispute ${dispute.disputeId} lost (${dispute.reason}); payout attempt ${attempts + 1}`,
              requestedBy: 'arbiter',
              idempotencyKey,
              disputeId: dispute.disputeId,
            },
          },
          { type: 'ApproveRefund', data: { refundId, approvedBy: actorOf(actor) } },
        ],
        { correlationId: meta.correlationId ?? `dispute:${dispute.disputeId}` },
      );
    });
  }

  getDispute(actor: Principal, disputeId: string): DisputeView {
    const state = this.bus.peek(this.paymentOf(disputeId));
    const dispute = state?.disputes[disputeId];
    if (!state || !dispute) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
    assertVisible(actor, state, `dispute ${disputeId}`);
    return disputeView(state, dispute);
  }

  listDisputes(actor: Principal, filter: { status?: DisputeStatus } = {}): DisputeView[] {
    const tenant = actor.kind === 'provider' && actor.tenant !== null ? actor.tenant : undefined;
    const views: DisputeView[] = [];
    for (const d of this.indexService.current().listDisputes({ ...filter, tenant })) {
      const state = this.bus.peek(d.paymentId);
      const dispute = state?.disputes[d.disputeId];
      if (state && dispute && isVisible(actor, state)) views.push(disputeView(state, dispute));
    }
    return views.reverse();
  }

  /**
   * Decides for the payer every dispute whose respondBy is at or before `now` without a provider response. Returns
   * the dispute ids decided now. Safe to run any number of times, in any number of places in one process.
   */
  async resolveOverdue(now: Date = this.clock.now()): Promise<string[]> {
    const decided: string[] = [];
    for (const due of this.indexService.current().dueDisputes(now)) {
      try {
        const done = await this.bus.withPayment(due.paymentId, async (stream) => {
          const dispute = stream.state.disputes[due.disputeId];
          if (!dispute || dispute.status !== 'needs_response' || dispute.evidence.provider.length > 0) return false;
          if (Date.parse(dispute.respondBy) > now.getTime()) return false;
          const note = `no provider response by ${dispute.respondBy}`;
          const appended = await stream.record(decideCommands(stream.state, dispute, 'lost', DEADLINE_ACTOR, note), {
            correlationId: `dispute:${dispute.disputeId}`,
            causationId: `deadline:${dispute.disputeId}`,
          });
          return appended.length > 0;
        });
        if (done) decided.push(due.disputeId);
      } catch (error) {
        this.logger.warn(`deadline of dispute ${due.disputeId} could not be applied: ${(error as Error).message}`);
      }
    }
    return decided;
  }

  private paymentOf(disputeId: string): string {
    const indexed = this.indexService.current().dispute(disputeId);
    if (!indexed) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
    return indexed.paymentId;
  }

  private async onDispute(
    actor: Principal,
    disputeId: string,
    fn: (stream: PaymentStreamHandle, dispute: DisputeEntity) => Promise<void>,
  ): Promise<DisputeView> {
    return this.bus.withPayment(this.paymentOf(disputeId), async (stream) => {
      assertVisible(actor, stream.state, `dispute ${disputeId}`);
      await fn(stream, disputeOf(stream.state, disputeId));
      return disputeView(stream.state, disputeOf(stream.state, disputeId));
    });
  }
}

/**
 * The commands of a decision. Won: (under review first when it still needs a response) the decision. Lost: the
 * decision — with which the ledger requests the payout refund — and the payout's approval, in one append.
 */
export function decideCommands(
  state: PaymentState,
  dispute: DisputeEntity,
  outcome: 'won' | 'lost',
  decidedBy: string,
  note: string | null,
): PaymentCommand[] {
  const commands: PaymentCommand[] = [];
  if (outcome === 'won' && dispute.status === 'needs_response') {
    commands.push({ type: 'StartDisputeReview', data: { disputeId: dispute.disputeId } });
  }
  commands.push({ type: 'DecideDispute', outcome, data: { disputeId: dispute.disputeId, decidedBy, note } });
  if (outcome === 'lost' && dispute.status !== 'lost') {
    const payoutId = deriveRefundId({
      paymentId: state.payment!.paymentId!,
      idempotencyKey: disputePayoutKey(dispute.disputeId),
    });
    commands.push({ type: 'ApproveRefund', data: { refundId: payoutId, approvedBy: decidedBy } });
  }
  return commands;
}

function disputeOf(state: PaymentState, disputeId: string): DisputeEntity {
  const dispute = state.disputes[disputeId];
  if (!dispute) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
  return dispute;
}

function checkEvidence(evidence: unknown, min: number): string[] {
  if (!Array.isArray(evidence) || evidence.length < min || evidence.length > 50) {
    throw invalidInput(`evidence must be a list of ${min}..50 items`);
  }
  return evidence.map((item, i) => {
    if (typeof item !== 'string' || item.trim().length === 0 || item.length > 4000) {
      throw invalidInput(`evidence[${i}] must be 1..4000 characters (text, a URL or a hash)`);
    }
    return item;
  });
}
