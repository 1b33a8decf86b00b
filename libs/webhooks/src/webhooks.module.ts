import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CryptoSecretGenerator, SecretGenerator, SystemClock } from '@x402-ledger/auth';
import { Clock } from '@x402-ledger/ledger';
import { WebhookDeliveriesService } from './delivery/webhook-deliveries.service';
import { WebhookSchedulerConsumer } from './delivery/webhook-scheduler.consumer';
import { FetchWebhookTransport, WebhookTransport } from './delivery/webhook-transport.port';
import { WebhookDispatcher } from './delivery/webhook.dispatcher';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { WebhooksController } from './http/webhooks.controller';
import { LmdbWebhookStore } from './store/lmdb-webhook.store';
import { WebhookStore } from './store/webhook.records';
import {
  WEBHOOKS_OPTIONS,
  resolveWebhooksOptions,
  type WebhooksOptions,
  type WebhooksOptionsInput,
} from './webhooks.options';

export interface WebhooksModuleConfig {
  options: WebhooksOptionsInput;
  /** Overrides of the ports: Clock, SecretGenerator, WebhookTransport (later bindings win). */
  providers?: Provider[];
  /** Serve the management API under /webhooks (needs the Authenticator: AuthModule.forRoot). Default false. */
  http?: boolean;
}

/**
 * Provider webhooks: the endpoint registry, the scheduler (a consumer group on the event log writing durable
 * delivery jobs), the dispatcher (signed HTTP deliveries with retries) and the delivery log. Needs the EventLog
 * provider (EventLogModule). Starts consuming and dispatching at application bootstrap; stops on shutdown.
 */
@Module({})
export class WebhooksModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly scheduler: WebhookSchedulerConsumer,
    private readonly dispatcher: WebhookDispatcher,
    private readonly store: WebhookStore,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
  ) {}

  static forRoot(config: WebhooksModuleConfig): DynamicModule {
    const options = resolveWebhooksOptions(config.options);
    return {
      module: WebhooksModule,
      controllers: config.http ? [WebhooksController] : [],
      providers: [
        { provide: WEBHOOKS_OPTIONS, useValue: options },
        { provide: Clock, useClass: SystemClock },
        { provide: SecretGenerator, useClass: CryptoSecretGenerator },
        { provide: WebhookTransport, useClass: FetchWebhookTransport },
        { provide: WebhookStore, useFactory: () => new LmdbWebhookStore(options.stateDir) },
        ...(config.providers ?? []),
        WebhookSchedulerConsumer,
        WebhookDispatcher,
        WebhookEndpointsService,
        WebhookDeliveriesService,
      ],
      exports: [WebhookEndpointsService, WebhookDeliveriesService, WebhookDispatcher, WebhookSchedulerConsumer],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.scheduler.onScheduled(() => this.dispatcher.wake());
    await this.scheduler.start();
    if (this.options.dispatchIntervalMs > 0) this.dispatcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
    await this.dispatcher.stop();
    await this.store.close();
  }
}
