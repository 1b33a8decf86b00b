import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { EoaSignatureVerifier, SignatureVerifier, SystemClock } from '@x402-ledger/auth';
import { EventLog } from '@x402-ledger/event-log';
import { Clock } from '@x402-ledger/ledger';
import { PaymentWorkflowAdapter } from './adapters/payment-workflow.adapter';
import { DisputeService } from './disputes/dispute.service';
import { DuplicatePaymentsService } from './duplicates/duplicate-payments.service';
import { LmdbRefundTxStore } from './execution/lmdb-refund-tx.store';
import { RefundNetworks, StaticRefundNetworks } from './execution/refund-networks.port';
import { InMemoryRefundTxStore, RefundTxStore } from './execution/refund-tx.store';
import { RefundExecutor } from './execution/refund.executor';
import { WorkflowIndexService } from './index/workflow-index.service';
import {
  REFUNDS_OPTIONS,
  resolveRefundsOptions,
  type RefundsOptions,
  type RefundsOptionsInput,
} from './refunds.options';
import { RefundService } from './refunds/refund.service';
import { FoldedPaymentStreams, InProcessPaymentLocks } from './streams/folded-payment-streams';
import { PaymentCommandBus } from './streams/payment-command.bus';
import { PaymentStreamLocks, PaymentStreamStore } from './streams/payment-streams.port';
import { RefundsWorker } from './worker/refunds.worker';

export interface RefundsModuleConfig {
  options: RefundsOptionsInput;
  /**
   * `shared` (the daemon): PaymentStreamStore and PaymentStreamLocks come from `providers` — bind them to the
   * facilitator's PaymentStateStore and KeyedMutex so one writer decides per payment.
   * `standalone`: this module folds its own store from the log (a process where nothing else writes payment
   * streams, e.g. tests). Two stores in one process would be two writers: never use it next to the facilitator.
   */
  paymentStreams: 'shared' | 'standalone';
  /** Modules whose exports the providers below inject. */
  imports?: ModuleMetadata['imports'];
  /**
   * Bindings of the ports this module needs from outside: PaymentStreamStore + PaymentStreamLocks (shared mode),
   * RefundNetworks (default: none, so executions fail with NETWORK_NOT_CONFIGURED), and optionally Clock (default:
   * system clock) and SignatureVerifier (default: EOA only). Later bindings override the defaults.
   */
  providers?: Provider[];
}

/**
 * Refund and dispute workflows: RefundService, DisputeService, DuplicatePaymentsService (commands and reads), the
 * RefundExecutor (on-chain execution and confirmation) and the RefundsWorker (deadlines, hot wallets,
 * confirmations). Needs the EventLog provider (EventLogModule).
 */
@Module({})
export class RefundsModule {
  static forRoot(config: RefundsModuleConfig): DynamicModule {
    const options = resolveRefundsOptions(config.options);
    const streamProviders: Provider[] =
      config.paymentStreams === 'standalone'
        ? [
            {
              provide: PaymentStreamStore,
              inject: [EventLog],
              useFactory: async (log: EventLog) => {
                const store = new FoldedPaymentStreams();
                await store.load(log);
                return store;
              },
            },
            { provide: PaymentStreamLocks, useValue: new InProcessPaymentLocks() },
          ]
        : [];
    return {
      module: RefundsModule,
      imports: config.imports ?? [],
      providers: [
        { provide: REFUNDS_OPTIONS, useValue: options satisfies RefundsOptions },
        { provide: Clock, useClass: SystemClock },
        { provide: SignatureVerifier, useValue: new EoaSignatureVerifier() },
        { provide: RefundNetworks, useValue: new StaticRefundNetworks([]) },
        {
          provide: RefundTxStore,
          useFactory: () => (options.stateDir ? new LmdbRefundTxStore(options.stateDir) : new InMemoryRefundTxStore()),
        },
        ...streamProviders,
        ...(config.providers ?? []),
        PaymentCommandBus,
        WorkflowIndexService,
        RefundExecutor,
        RefundService,
        DisputeService,
        DuplicatePaymentsService,
        RefundsWorker,
        PaymentWorkflowAdapter,
      ],
      exports: [
        PaymentWorkflowAdapter,
        RefundService,
        DisputeService,
        DuplicatePaymentsService,
        RefundExecutor,
        RefundsWorker,
        WorkflowIndexService,
      ],
    };
  }
}
