import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createEventLog, type CreateEventLogOptions } from './create-event-log';
import { EventLog } from './event-log.port';
import { createStreamOwnership, type StreamOwnershipOptions } from './ownership/create-stream-ownership';
import { StreamOwnership } from './ownership/stream-ownership.port';

export interface EventLogModuleOptions extends CreateEventLogOptions {
  /** EVENT_LOG_URL: `file:./data/log` | `file:/abs/path` | `kafka://h1:9092,h2:9092?topic=…` */
  url: string;
  /** Single writer per stream (Kafka: the writers' consumer group, snapshots, advertised URL). */
  ownership?: StreamOwnershipOptions;
}

/**
 * Provides the EventLog port (the abstract class is the injection token) to the whole application, opened from a
 * URL, and closes it on application shutdown (enableShutdownHooks in the composition root). Also provides the
 * matching StreamOwnership (not started: the state store that folds the owned streams starts it).
 */
@Global()
@Module({})
export class EventLogModule implements OnApplicationShutdown {
  constructor(private readonly eventLog: EventLog) {}

  static forRoot(options: EventLogModuleOptions): DynamicModule {
    return {
      module: EventLogModule,
      global: true,
      providers: [
        { provide: EventLog, useFactory: () => createEventLog(options.url, options) },
        {
          provide: StreamOwnership,
          inject: [EventLog],
          useFactory: (log: EventLog) => createStreamOwnership(log, options.ownership),
        },
      ],
      exports: [EventLog, StreamOwnership],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventLog.close();
  }
}
