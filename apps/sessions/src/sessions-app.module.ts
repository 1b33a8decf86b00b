import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@x402-ledger/config';
import { EventLog, EventLogModule, StreamOwnership, parseEventLogUrl } from '@x402-ledger/event-log';
import type { DevChain } from '@x402-ledger/evm';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';
import { SessionsModule, loadPoliciesFile } from '@x402-ledger/sessions';

/** The session service alone (scale-out mode): nonces, SIWx verification, session tokens, JWKS, revocations. */
@Module({})
export class SessionsAppModule {
  static forRoot(config: AppConfig, devChain: DevChain | undefined): DynamicModule {
    const url = parseEventLogUrl(config.eventLogUrl);
    // Its own writers' group: the daemons' `<topic>.writers` group also decides payments, which this app cannot.
    const group = url.kind === 'kafka' ? `${url.topic}.sessions-writers` : undefined;
    return {
      module: SessionsAppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-sessions',
          level: config.logLevel,
          readinessChecks: {
            inject: [EventLog],
            useFactory: (log: EventLog): ReadinessCheck[] => [{ name: 'eventLog', check: () => log.ping() }],
          },
        }),
        // Kafka: single writer per session / SIWx-nonce stream (this process's partitions of the writers' group).
        EventLogModule.forRoot({
          url: config.eventLogUrl,
          ownership: { group, snapshotDir: join(config.dataDir, 'ownership'), advertisedUrl: config.publicUrl },
        }),
        SessionsModule.forRoot({
          dataDir: config.dataDir,
          auth: { adminApiKey: config.adminApiKey, devLoopbackTenant: config.mode === 'dev' ? 'dev' : undefined },
          policies: config.sessionPoliciesFile ? loadPoliciesFile(config.sessionPoliciesFile) : [],
          publicClients: devChain ? { [devChain.network]: devChain.publicClient } : {},
          ownership: { inject: [StreamOwnership], useFactory: (ownership: StreamOwnership) => ownership },
        }),
      ],
    };
  }
}
