import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EventLog } from '@x402-ledger/event-log';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import { AnalyticsClient } from '../client/analytics-client';
import { Projector, type ProjectorOptions } from './projector';
import { NoopProjectorMetrics, ProjectorMetrics } from './projector-metrics.port';

export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

export interface ProjectorServiceOptions extends ProjectorOptions {
  /** Subscribe when the application starts (default false: the app calls start()). */
  autoStart?: boolean;
}

/**
 * The projector as a NestJS service: one Projector on the app's EventLog (consumer group, commit after ClickHouse
 * acknowledged), metrics through the ProjectorMetrics port if the app provides one. Stops before the application
 * shuts down, so the log and the client close after the in-flight batch.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly projector: Projector;
  private running = false;

  constructor(
    client: AnalyticsClient,
    @Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorServiceOptions,
    @Optional() private readonly eventLog?: EventLog,
    @Optional() metrics?: ProjectorMetrics,
  ) {
    this.projector = new Projector(client, {
      ...options,
      metrics: options.metrics ?? metrics ?? new NoopProjectorMetrics(),
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.autoStart) await this.start();
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.eventLog) {
      throw new AnalyticsException(
        AnalyticsErrorCode.NOT_CONFIGURED,
        'No EventLog provider: import EventLogModule to run the projector',
      );
    }
    await this.projector.start(this.eventLog);
    this.running = true;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.projector.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
