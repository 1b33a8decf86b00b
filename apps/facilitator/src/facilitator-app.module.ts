import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@x402-ledger/config';
import { EventLog, EventLogModule, StreamOwnership } from '@x402-ledger/event-log';
import type { NetworkConfig } from '@x402-ledger/evm';
import { FacilitatorModule, LmdbFacilitatorState } from '@x402-ledger/facilitator';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';

/**
 * The facilitator alone (scale-out mode): /verify, /settle, /supported over the shared event log. On Kafka several of
 * them share the log: each decides only the payments of the partitions its writers' group assigns it (ADR 0012).
 */
@Module({})
export class FacilitatorAppModule {
  static forRoot(config: AppConfig, networks: NetworkConfig[]): DynamicModule {
    return {
      module: FacilitatorAppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-facilitator',
          level: config.logLevel,
          readinessChecks: {
            inject: [EventLog],
            useFactory: (log: EventLog): ReadinessCheck[] => [{ name: 'eventLog', check: () => log.ping() }],
          },
        }),
        EventLogModule.forRoot({
          url: config.eventLogUrl,
          ownership: { snapshotDir: join(config.dataDir, 'ownership'), advertisedUrl: config.publicUrl },
        }),
        FacilitatorModule.forRootAsync({
          inject: [StreamOwnership],
          useFactory: (ownership: StreamOwnership) => ({
            networks,
            mode: config.mode,
            stateDir: join(config.dataDir, 'facilitator'),
            paymentStateStore: new LmdbFacilitatorState(join(config.dataDir, 'facilitator')).useOwnership(ownership),
          }),
        }),
      ],
    };
  }
}
