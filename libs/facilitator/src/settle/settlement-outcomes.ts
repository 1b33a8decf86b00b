import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { recordedTransfer, SignedTxStore, type SettlementOutcome, type SignedSettlementTx } from '@x402-ledger/evm';
import { getAddress, type Hash } from 'viem';
import type { PaymentState } from '@x402-ledger/ledger';
import type { CommonPaymentData } from '../payments/event-facts';
import { eventMessage } from '../payments/event-facts';
import { ExactEvmNetworks } from '../payments/exact-evm-networks';
import { KeyedMutex } from '../payments/keyed-mutex';
import { PaymentRecorder } from '../payments/payment-recorder';
import { PaymentStateStore } from '../state/payment-state.store';

/** Background receipt waits run this long before giving up until the next sweep. */
const WATCH_DEADLINE_MS = 120_000;
const SWEEP_INTERVAL_MS = 5_000;

/** The common event fields of a payment already on the log. */
export function commonFromState(state: PaymentState): CommonPaymentData | null {
  const p = state.payment;
  if (!p || !p.paymentId || !p.payer) return null;
  return {
    paymentId: p.paymentId,
    scheme: p.scheme,
    network: p.network,
    asset: p.asset,
    amount: p.amount,
    payer: p.payer,
    payTo: p.payTo,
    resourceUrl: p.resourceUrl,
  };
}

/**
 * Finishes settlements: records the final fact of a submitted transaction (payment.settled / settlement_failed), and
 * — the reconciler — watches every submitted settlement that no request is waiting for (after a `settlement_pending`
 * answer, or after a restart: transactions signed before a crash are replayed byte for byte, never re-signed).
 */
@Injectable()
export class SettlementOutcomes implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SettlementOutcomes.name);
  private readonly watching = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly networks: ExactEvmNetworks,
    private readonly store: PaymentStateStore,
    private readonly txStore: SignedTxStore,
    private readonly recorder: PaymentRecorder,
    private readonly locks: KeyedMutex,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(
      () => void this.sweep().catch((e) => this.logger.error(`reconcile sweep failed: ${(e as Error).message}`)),
      SWEEP_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Records a submission found in the signed-tx store but not on the log (crash between broadcast and append). */
  async recordSubmitted(
    tx: SignedSettlementTx,
    common: CommonPaymentData,
    tenant: string,
    correlationId: string,
  ): Promise<PaymentState> {
    return this.recorder.record(common.paymentId, tenant, correlationId, {
      type: 'RecordSettlementSubmitted',
      data: { ...common, txHash: tx.hash, signer: tx.signer, submittedAt: tx.signedAt },
    });
  }

  /** Records a final outcome (caller holds the payment lock). Pending outcomes record nothing. */
  async record(
    tx: SignedSettlementTx,
    outcome: SettlementOutcome,
    common: CommonPaymentData,
    tenant: string,
    correlationId: string,
  ): Promise<void> {
    if (outcome.status === 'pending') return;
    if (outcome.status === 'settled') {
      await this.recorder.record(common.paymentId, tenant, correlationId, {
        type: 'RecordSettled',
        data: {
          ...common,
          txHash: outcome.txHash,
          blockNumber: outcome.blockNumber.toString(),
          blockTimestamp: outcome.blockTimestamp,
          logIndex: outcome.logIndex,
          gasUsed: outcome.gasUsed.toString(),
          effectiveGasPrice: outcome.effectiveGasPrice.toString(),
          signer: outcome.signer,
        },
      });
    } else {
      await this.recorder.record(common.paymentId, tenant, correlationId, {
        type: 'RecordSettlementFailed',
        data: { ...common, reason: outcome.reason, message: eventMessage(outcome.message), txHash: outcome.txHash },
      });
    }
    await this.txStore.resolve(tx.paymentId);
  }

  /** The latest transfer transaction signed for a payment. */
  /**
   * The transfer to finish a payment with. Submitted on the log: the recorded transaction — the stored signed one
   * with that hash, else (another process signed it: the previous owner of the partition) the transfer known by its
   * recorded hash, read from its receipt. Not submitted yet: the last transfer signed here (a crash between the
   * broadcast and the append).
   */
  async latestTransfer(paymentId: string): Promise<SignedSettlementTx | undefined> {
    const signed = (await this.txStore.forPayment(paymentId)).filter((t) => t.kind === 'transfer');
    const state = this.store.get(paymentId);
    const recorded = state?.status === 'settlement_submitted' ? state.submittedTxHashes.at(-1) : undefined;
    if (recorded === undefined) return signed.at(-1);
    const ours = signed.find((t) => t.hash.toLowerCase() === recorded.toLowerCase());
    const p = state?.payment;
    if (ours || !p?.payer) return ours;
    return recordedTransfer({
      paymentId,
      network: p.network,
      hash: recorded as Hash,
      asset: getAddress(p.asset),
      from: getAddress(p.payer),
      to: getAddress(p.payTo),
      value: p.amount,
    });
  }

  /** Starts a background wait for a submitted payment's outcome (idempotent). */
  watch(paymentId: string): void {
    if (this.watching.has(paymentId) || this.stopped) return;
    this.watching.add(paymentId);
    void this.finishInBackground(paymentId)
      .catch((e) => this.logger.warn(`settlement watch of ${paymentId} failed: ${(e as Error).message}`))
      .finally(() => this.watching.delete(paymentId));
  }

  private async finishInBackground(paymentId: string): Promise<void> {
    const tx = await this.latestTransfer(paymentId);
    const network = tx && this.networks.get(tx.network);
    if (!tx || !network) {
      this.logger.warn(`payment ${paymentId} is submitted but no signed transaction is stored for it`);
      return;
    }
    await network.settler.replayIfLost(tx);
    const outcome = await network.settler.awaitOutcome(tx, Date.now() + WATCH_DEADLINE_MS);
    if (outcome.status === 'pending') return;
    await this.locks.run(paymentId, async () => {
      const state = this.store.get(paymentId);
      if (!state || state.status !== 'settlement_submitted' || !state.tenant) return;
      const common = commonFromState(state);
      if (!common) return;
      await this.record(tx, outcome, common, state.tenant, `reconcile:${paymentId}`);
    });
  }

  /** Reconciles: signed-but-unrecorded transactions, and submitted payments nobody is waiting for. */
  async sweep(): Promise<void> {
    for (const tx of await this.txStore.unresolved()) {
      if (tx.kind !== 'transfer' || this.watching.has(tx.paymentId) || this.locks.isBusy(tx.paymentId)) continue;
      const state = this.store.get(tx.paymentId);
      if (state && !['none', 'verification_failed', 'verified', 'settlement_submitted'].includes(state.status)) {
        await this.txStore.resolve(tx.paymentId);
        continue;
      }
      if (!state || state.status !== 'settlement_submitted') {
        const tenant = typeof tx.context.tenant === 'string' ? tx.context.tenant : state?.tenant;
        const common = state ? commonFromState(state) : contextCommon(tx);
        if (!tenant || !common) continue;
        await this.locks.run(tx.paymentId, async () => {
          const now = this.store.get(tx.paymentId);
          if (now && now.status === 'settlement_submitted') return;
          await this.recordSubmitted(tx, common, tenant, `reconcile:${tx.paymentId}`);
        });
      }
      this.watch(tx.paymentId);
    }
    for (const state of this.store.inFlight()) {
      if (state.streamId && !this.locks.isBusy(state.streamId)) this.watch(state.streamId);
    }
  }
}

/** Event facts saved with a signed transaction (for a crash before payment.settlement_submitted was appended). */
function contextCommon(tx: SignedSettlementTx): CommonPaymentData | null {
  const c = tx.context;
  if (typeof c.scheme !== 'string' || typeof c.amount !== 'string' || typeof c.payTo !== 'string') return null;
  return {
    paymentId: tx.paymentId,
    scheme: c.scheme,
    network: tx.network,
    asset: tx.asset,
    amount: c.amount,
    payer: tx.from,
    payTo: c.payTo,
    resourceUrl: typeof c.resourceUrl === 'string' ? c.resourceUrl : null,
  };
}
