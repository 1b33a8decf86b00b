import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DaemonConfig } from '@x402-ledger/config';
import { AnalyticsClient, AnalyticsModule, PromProjectorMetricsModule } from '@x402-ledger/analytics';
import { EventLog, EventLogModule } from '@x402-ledger/event-log';
import type { DevChain, NetworkConfig } from '@x402-ledger/evm';
import { FacilitatorModule } from '@x402-ledger/facilitator';
import { SessionsModule, loadPoliciesFile } from '@x402-ledger/sessions';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';
import { DevController } from './dev.controller';
import { DEV_INFO, type DevInfo } from './dev-info';

export interface DaemonModuleOptions {
  config: DaemonConfig;
  chain: DevChain | undefined;
  networks: NetworkConfig[];
  /** Filled in once the HTTP server listens (the port may be 0 = chosen by the OS). */
  devInfo: { current?: DevInfo };
}

/**
 * The all-in-one process: composes the very same feature modules that apps/facilitator, apps/sessions,
 * apps/projector and apps/api compose one each. Thin by design — no logic here.
 */
@Module({})
export class DaemonModule {
  static forRoot({ config, chain, networks, devInfo }: DaemonModuleOptions): DynamicModule {
    const checks: ReadinessCheck[] = [];
    if (chain) {
      checks.push({
        name: 'chain',
        check: async () => {
          const id = await chain.publicClient.getChainId();
          if (id !== chain.chainId) throw new Error(`chain id ${id}, expected ${chain.chainId}`);
        },
      });
    }
    const dev = config.mode === 'dev' && chain !== undefined;
    return {
      module: DaemonModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-daemon',
          level: config.logLevel,
          readinessChecks: {
            inject: [EventLog, AnalyticsClient],
            useFactory: (log: EventLog, clickhouse: AnalyticsClient): ReadinessCheck[] => [
              { name: 'eventLog', check: () => log.ping() },
              { name: 'clickhouse', check: () => clickhouse.ping() },
              ...checks,
            ],
          },
        }),
        EventLogModule.forRoot({ url: config.eventLogUrl }),
        PromProjectorMetricsModule,
        AnalyticsModule.forRoot({ url: config.clickhouseUrl, projector: { autoStart: true } }),
        FacilitatorModule.forRoot({ networks, mode: config.mode, stateDir: join(config.dataDir, 'facilitator') }),
        SessionsModule.forRoot({
          dataDir: config.dataDir,
          auth: { adminApiKey: config.adminApiKey, devLoopbackTenant: config.mode === 'dev' ? 'dev' : undefined },
          policies: config.sessionPoliciesFile ? loadPoliciesFile(config.sessionPoliciesFile) : [],
          publicClients: chain ? { [chain.network]: chain.publicClient } : {},
        }),
      ],
      controllers: dev ? [DevController] : [],
      providers: dev ? [{ provide: DEV_INFO, useValue: devInfo }] : [],
    };
  }
}
