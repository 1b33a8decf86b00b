import { type DynamicModule, Module } from '@nestjs/common';
import { AnalyticsClient, AnalyticsModule, PromProjectorMetricsModule } from '@x402-ledger/analytics';
import type { AppConfig } from '@x402-ledger/config';
import { EventLog, EventLogModule } from '@x402-ledger/event-log';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';

/** The projector alone (scale-out mode): one consumer-group member projecting the log into ClickHouse. */
@Module({})
export class ProjectorAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProjectorAppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-projector',
          level: config.logLevel,
          readinessChecks: {
            inject: [EventLog, AnalyticsClient],
            useFactory: (log: EventLog, clickhouse: AnalyticsClient): ReadinessCheck[] => [
              { name: 'eventLog', check: () => log.ping() },
              { name: 'clickhouse', check: () => clickhouse.ping() },
            ],
          },
        }),
        EventLogModule.forRoot({ url: config.eventLogUrl }),
        PromProjectorMetricsModule,
        AnalyticsModule.forRoot({ url: config.clickhouseUrl, projector: { autoStart: true } }),
      ],
    };
  }
}
