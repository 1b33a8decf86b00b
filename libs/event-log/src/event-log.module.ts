import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createEventLog, type CreateEventLogOptions } from './create-event-log';
import { EventLog } from './event-log.port';

export interface EventLogModuleOptions extends CreateEventLogOptions {
  /** EVENT_LOG_URL: `file:./data/log` | `file:/abs/path` | `kafka://h1:9092,h2:9092?topic=…` */
  url: string;
}

/**
 * Provides the EventLog port (the abstract class is the injection token) to the whole application, opened from a
 * URL, and closes it on application shutdown (enableShutdownHooks in the composition root).
 */
@Global()
@Module({})
export class EventLogModule implements OnApplicationShutdown {
  constructor(private readonly eventLog: EventLog) {}

  static forRoot(options: EventLogModuleOptions): DynamicModule {
    return {
      module: EventLogModule,
      global: true,
      providers: [{ provide: EventLog, useFactory: () => createEventLog(options.url, options) }],
      exports: [EventLog],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventLog.close();
  }
}
