import { Injectable } from '@nestjs/common';
import { isPermit2Facts, type SignedSettlementTx } from '@x402-ledger/evm';
import { Clock, type PaymentState } from '@x402-ledger/ledger';
import { getAddress } from 'viem';
import { EvmReason, GenericReason, type SettleResponse } from '@x402-ledger/protocol';
import type { ApiPrincipal } from '../auth/api-key.store';
import { commonEventData, eventMessage, withPaymentId, type CommonPaymentData } from '../payments/event-facts';
import { ExactEvmNetworks, type ExactEvmNetwork } from '../payments/exact-evm-networks';
import { KeyedMutex } from '../payments/keyed-mutex';
import { settleFailure, settleSuccess } from '../payments/payment-answers';
import { PaymentIdentifiers } from '../payments/payment-identifiers';
import { PaymentRecorder } from '../payments/payment-recorder';
import { parsePaymentRequest, type PaymentRequest } from '../payments/payment-request';
import { SETTLED_LIKE } from '../payments/payment-status';
import { claimStream } from '../state/claim-stream';
import { PaymentStateStore } from '../state/payment-state.store';
import { payerOf } from '../verify/verify.service';
import { commonFromState, SettlementOutcomes } from './settlement-outcomes';

interface Call {
  pr: PaymentRequest;
  network: ExactEvmNetwork;
  principal: ApiPrincipal;
  correlationId: string;
  payer: string | undefined;
}

/**
 * POST /settle: at most one transfer and at most one success answer per payment (ADR 0005).
 *
 * - The first settle of a payment (reserved by its own /verify, or not verified at all: the `upfront` flow) verifies
 *   again with a simulation, broadcasts ONE transaction and answers success once it is final and recorded.
 * - Every other settle of that payment — concurrent copies wait on the payment's lock — gets `success:false`,
 *   `invalid_exact_evm_nonce_already_used` and the original tx hash in `transaction`; nothing is broadcast.
 * - After a `settlement_pending` answer (receipt not in time), the next settle waits for THAT transaction and gives
 *   its final outcome (success at most once per payment); it never broadcasts again.
 */
@Injectable()
export class SettleService {
  constructor(
    private readonly networks: ExactEvmNetworks,
    private readonly store: PaymentStateStore,
    private readonly recorder: PaymentRecorder,
    private readonly locks: KeyedMutex,
    private readonly identifiers: PaymentIdentifiers,
    private readonly outcomes: SettlementOutcomes,
    private readonly clock: Clock,
  ) {}

  async settle(body: unknown, principal: ApiPrincipal, correlationId: string): Promise<SettleResponse> {
    const pr = parsePaymentRequest(body, this.networks.v1Aliases);
    const r = pr.request.paymentRequirements;
    const payer = payerOf(pr);
    const net = pr.responseNetwork;
    if (r.scheme !== 'exact')
      return settleFailure(GenericReason.UnsupportedScheme, net, payer, '', `scheme "${r.scheme}" is not supported`);
    const network = this.networks.get(pr.network);
    if (!network)
      return settleFailure(GenericReason.InvalidNetwork, net, payer, '', `network "${pr.network}" is not supported`);
    await this.identifiers.check(pr, principal.tenant);
    const call: Call = { pr, network, principal, correlationId, payer };
    if (!pr.paymentId) {
      // Not an authorization at all (no well-formed payer/nonce): the SDK's reason, nothing to record or send.
      const outcome = await network.verifyPayment(pr.request, this.nowSeconds());
      return settleFailure(
        outcome.isValid ? EvmReason.InvalidTransactionState : outcome.reason,
        net,
        payer,
        '',
        outcome.isValid ? undefined : outcome.message,
      );
    }
    const paymentId = pr.paymentId;
    return this.locks.run(paymentId, () => this.settleLocked(call, paymentId));
  }

  private async settleLocked(call: Call, paymentId: string): Promise<SettleResponse> {
    const { pr, principal, payer } = call;
    const net = pr.responseNetwork;
    await claimStream(this.store, paymentId);
    let state = this.store.get(paymentId);
    if (state?.tenant && state.tenant !== principal.tenant) {
      return settleFailure(
        EvmReason.NonceAlreadyUsed,
        net,
        payer,
        txOf(state),
        'this payment belongs to another tenant',
      );
    }
    if (!state || ['none', 'verification_failed', 'verified'].includes(state.status)) {
      // A transaction signed before a crash but never recorded as submitted: finish it, never sign another.
      const signed = await this.outcomes.latestTransfer(paymentId);
      if (signed) {
        const common = (state && commonFromState(state)) ?? this.commonFor(call);
        if (common) state = await this.outcomes.recordSubmitted(signed, common, principal.tenant, call.correlationId);
      }
    }
    const status = state?.status ?? 'none';
    if (SETTLED_LIKE.includes(status)) {
      if (!this.store.successAnswered(paymentId)) {
        await this.store.markSuccessAnswered(paymentId);
        return settleSuccess(state!.settlement!.txHash, net, payer ?? state!.payment!.payer!);
      }
      return settleFailure(EvmReason.NonceAlreadyUsed, net, payer, txOf(state!), 'this payment is already settled');
    }
    if (status === 'settlement_failed') {
      const failure = state!.settlementFailure;
      return settleFailure(
        failure?.reason ?? EvmReason.TransactionFailed,
        net,
        payer,
        failure?.txHash ?? '',
        failure?.message,
      );
    }
    if (status === 'settlement_submitted') {
      const tx = await this.outcomes.latestTransfer(paymentId);
      const common = commonFromState(state!);
      if (!tx || !common) {
        return settleFailure(EvmReason.SettlementPending, net, payer, txOf(state!), 'settlement in progress');
      }
      await call.network.settler.replayIfLost(tx);
      return this.finish(call, tx, common, state!.tenant ?? principal.tenant);
    }
    return this.settleFresh(call, paymentId);
  }

  private async settleFresh(call: Call, paymentId: string): Promise<SettleResponse> {
    const { pr, network, principal, payer } = call;
    const net = pr.responseNetwork;
    const outcome = await network.verifyPayment(pr.request, this.nowSeconds());
    const data = commonEventData(pr, outcome.facts);
    if (!outcome.isValid) {
      let txHash: string | null = null;
      if (outcome.reason === EvmReason.NonceAlreadyUsed && outcome.facts.nonce && !isPermit2Facts(outcome.facts)) {
        // Consumed on chain without us knowing (another facilitator, the buyer, or lost local state): name the tx.
        txHash = await network.chain
          .findAuthorizationUsed(outcome.facts.asset, outcome.facts.from, outcome.facts.nonce)
          .catch(() => null);
      }
      const common = withPaymentId(data);
      if (common) {
        await this.recorder.record(paymentId, principal.tenant, call.correlationId, {
          type: 'RecordSettlementFailed',
          data: { ...common, reason: outcome.reason, message: eventMessage(outcome.message), txHash },
        });
      }
      return settleFailure(outcome.reason, net, outcome.payer, txHash ?? '', outcome.message);
    }
    const common = withPaymentId(data);
    if (!common) throw new Error('a valid verification must yield recordable facts');
    const context = {
      tenant: principal.tenant,
      correlationId: call.correlationId,
      scheme: common.scheme,
      amount: common.amount,
      payTo: common.payTo,
      resourceUrl: common.resourceUrl,
      x402Version: pr.x402Version,
    };
    const submitted = isPermit2Facts(outcome.facts)
      ? await network.permit2Settler.submit(paymentId, outcome.facts, context)
      : await network.settler.submit(paymentId, outcome.facts, context);
    if (!submitted.ok) {
      await this.recorder.record(paymentId, principal.tenant, call.correlationId, {
        type: 'RecordSettlementFailed',
        data: {
          ...common,
          reason: submitted.reason,
          message: eventMessage(submitted.message),
          txHash: submitted.txHash,
        },
      });
      return settleFailure(submitted.reason, net, payer, submitted.txHash ?? '', submitted.message);
    }
    await this.outcomes.recordSubmitted(submitted.tx, common, principal.tenant, call.correlationId);
    return this.finish(call, submitted.tx, common, principal.tenant);
  }

  /** Waits for the transaction's outcome within the network's receipt budget, records it, answers. */
  private async finish(
    call: Call,
    tx: SignedSettlementTx,
    common: CommonPaymentData,
    tenant: string,
  ): Promise<SettleResponse> {
    const { pr, network, payer } = call;
    const net = pr.responseNetwork;
    const outcome = await network.settler.awaitOutcome(tx, Date.now() + network.config.receiptTimeoutMs);
    if (outcome.status === 'pending') {
      this.outcomes.watch(tx.paymentId);
      return settleFailure(
        EvmReason.SettlementPending,
        net,
        payer,
        tx.hash,
        'transaction broadcast; receipt not yet available',
      );
    }
    await this.outcomes.record(tx, outcome, common, tenant, call.correlationId);
    if (outcome.status === 'settled') {
      await this.store.markSuccessAnswered(tx.paymentId);
      return settleSuccess(tx.hash, net, payer ?? common.payer);
    }
    return settleFailure(outcome.reason, net, payer, outcome.txHash ?? '', outcome.message);
  }

  /** Event facts straight from the request (used when a stored transaction precedes any event of its payment). */
  private commonFor(call: Call): CommonPaymentData | null {
    const r = call.pr.request.paymentRequirements;
    const from = call.payer;
    const address = /^0x[0-9a-fA-F]{40}$/;
    if (
      !from ||
      !address.test(from) ||
      !address.test(r.asset) ||
      !address.test(r.payTo) ||
      !/^(0|[1-9][0-9]{0,77})$/.test(r.amount)
    ) {
      return null;
    }
    return {
      paymentId: call.pr.paymentId!,
      scheme: r.scheme,
      network: call.pr.network,
      asset: getAddress(r.asset),
      amount: r.amount,
      payer: getAddress(from),
      payTo: getAddress(r.payTo),
      resourceUrl: call.pr.resourceUrl,
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function txOf(state: PaymentState): string {
  return state.settlement?.txHash ?? state.submittedTxHashes.at(-1) ?? state.settlementFailure?.txHash ?? '';
}
