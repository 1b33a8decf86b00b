import { type DynamicModule, Module } from '@nestjs/common';
import { AnalyticsClient, AnalyticsModule } from '@x402-ledger/analytics';
import { ApiModule } from '@x402-ledger/api';
import { AuthModule } from '@x402-ledger/auth';
import type { AppConfig } from '@x402-ledger/config';
import { EventLog, EventLogModule } from '@x402-ledger/event-log';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';
import { RevenuePageModule } from '@x402-ledger/revenue-page';

/**
 * The GraphQL API alone (scale-out mode, horizontally scalable): reads from ClickHouse, API keys and wallet sign-in
 * from the shared event log. Refund/dispute mutations are decided by the one writer of each payment — the process
 * that settles it (the daemon) — so this app binds no workflow and they answer NOT_AVAILABLE here (ADR 0008).
 */
@Module({})
export class ApiAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiAppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-api',
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
        AnalyticsModule.forRoot({ url: config.clickhouseUrl, projector: { autoStart: false } }),
        AuthModule.forRoot({
          adminApiKey: config.adminApiKey,
          tokenSecret: config.apiTokenSecret,
          siweDomain: config.siwxDomain,
        }),
        ApiModule.forRoot({ mode: config.mode }),
        RevenuePageModule,
      ],
    };
  }
}
