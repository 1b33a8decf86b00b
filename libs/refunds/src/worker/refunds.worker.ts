import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@x402-ledger/ledger';
import { DisputeService } from '../disputes/dispute.service';
import { RefundExecutor } from '../execution/refund.executor';
import { RefundTxStore } from '../execution/refund-tx.store';
import { WorkflowIndexService } from '../index/workflow-index.service';
import { REFUNDS_OPTIONS, type RefundsOptions } from '../refunds.options';
import { PaymentCommandBus } from '../streams/payment-command.bus';

export interface TickReport {
  /** Disputes decided for the payer because their deadline passed. */
  overdueDisputes: string[];
  /** Refunds a hot wallet submitted. */
  hotWalletRefunds: string[];
  /** Refunds whose on-chain outcome was recorded. */
  confirmedRefunds: string[];
}

/**
 * The refunds module's background work, one `tick()` at a time: dispute deadlines, hot-wallet execution, refund
 * confirmations. Every step is level-triggered from state folded from the log (nothing is remembered only in memory),
 * so a restart simply finds the same work again. At start it reads the log to its end before anything runs.
 * `tickIntervalMs = 0` disables the loop (tests drive `tick()` with a fake clock).
 */
@Injectable()
export class RefundsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RefundsWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickReport> | null = null;
  private stopped = false;

  constructor(
    private readonly indexService: WorkflowIndexService,
    private readonly disputes: DisputeService,
    private readonly executor: RefundExecutor,
    private readonly txStore: RefundTxStore,
    private readonly clock: Clock,
    bus: PaymentCommandBus,
    @Inject(REFUNDS_OPTIONS) private readonly options: RefundsOptions,
  ) {
    // Read-your-writes for listings and exact hot-wallet day totals: after every append, index our own facts.
    bus.onAppended(() => this.indexService.catchUp());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.indexService.start();
    if (this.options.tickIntervalMs > 0) this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.indexService.stop();
    await this.txStore.close();
  }

  /** One pass; concurrent calls share the pass in progress. */
  tick(): Promise<TickReport> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<TickReport> {
    await this.indexService.catchUp();
    const overdueDisputes = await this.disputes.resolveOverdue(this.clock.now());
    const hotWalletRefunds = await this.executor.runHotWallets();
    const confirmedRefunds = await this.executor.reconcileSubmitted();
    return { overdueDisputes, hotWalletRefunds, confirmedRefunds };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.logger.warn(`refunds tick failed: ${String(error)}`))
        .finally(() => this.schedule());
    }, this.options.tickIntervalMs);
    this.timer.unref();
  }
}
