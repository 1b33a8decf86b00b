import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';

import { AnalyticsClient, type AnalyticsClientOptions } from './client/analytics-client';
import { RebuildService } from './maintenance/rebuild.service';
import { ReconcileService } from './maintenance/reconcile.service';
import { MigrationRunner } from './migrations/migration-runner';
import { PROJECTOR_OPTIONS, ProjectorService, type ProjectorServiceOptions } from './projection/projector.service';
import { AnalyticsQueries } from './query/analytics-queries';
import { DisputesQuery } from './query/disputes.query';
import { OperationsQuery } from './query/operations.query';
import { PaymentsQuery } from './query/payments.query';
import { RefundsQuery } from './query/refunds.query';
import { RevenueQuery } from './query/revenue.query';
import { SessionsQuery } from './query/sessions.query';

export interface AnalyticsModuleOptions {
  /** CLICKHOUSE_URL: `chdb:./data/analytics` | `chdb:/abs/path` | `http(s)://user:pass@host:8123/db`. */
  url: string;
  client?: AnalyticsClientOptions;
  /** Apply pending migrations when the client opens (default true). */
  migrate?: boolean;
  projector?: ProjectorServiceOptions;
}

const QUERIES = [RevenueQuery, PaymentsQuery, RefundsQuery, DisputesQuery, SessionsQuery, OperationsQuery] as const;

/**
 * Provides the AnalyticsClient (opened from the URL, migrated, closed on shutdown), the MigrationRunner, the query
 * layer (AnalyticsQueries and each query class), the CLI pieces (ReconcileService, RebuildService) and the ProjectorService (needs the EventLog port in scope; binds
 * ProjectorMetrics if the app provides it).
 */
@Global()
@Module({})
export class AnalyticsModule implements OnApplicationShutdown {
  constructor(private readonly client: AnalyticsClient) {}

  static forRoot(options: AnalyticsModuleOptions): DynamicModule {
    return {
      module: AnalyticsModule,
      global: true,
      providers: [
        {
          provide: AnalyticsClient,
          useFactory: async () => {
            const client = await AnalyticsClient.create(options.url, options.client);
            try {
              if (options.migrate ?? true) await new MigrationRunner(client).migrate();
            } catch (error) {
              await client.close();
              throw error;
            }
            return client;
          },
        },
        {
          provide: MigrationRunner,
          useFactory: (c: AnalyticsClient) => new MigrationRunner(c),
          inject: [AnalyticsClient],
        },
        {
          provide: AnalyticsQueries,
          useFactory: (c: AnalyticsClient) => new AnalyticsQueries(c),
          inject: [AnalyticsClient],
        },
        ...QUERIES.map((Query) => ({
          provide: Query,
          useFactory: (queries: AnalyticsQueries) => Object.values(queries).find((q) => q instanceof Query),
          inject: [AnalyticsQueries],
        })),
        {
          provide: ReconcileService,
          useFactory: (c: AnalyticsClient) => new ReconcileService(c),
          inject: [AnalyticsClient],
        },
        {
          provide: RebuildService,
          useFactory: (c: AnalyticsClient) => new RebuildService(c),
          inject: [AnalyticsClient],
        },
        { provide: PROJECTOR_OPTIONS, useValue: options.projector ?? {} },
        ProjectorService,
      ],
      exports: [
        AnalyticsClient,
        MigrationRunner,
        AnalyticsQueries,
        ...QUERIES,
        ReconcileService,
        RebuildService,
        ProjectorService,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
