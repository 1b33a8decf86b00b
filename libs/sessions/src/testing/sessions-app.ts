import 'reflect-metadata';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventLog, EventLogModule } from '@x402-ledger/event-log';
import { SessionsModule, type SessionsModuleOptions } from '../sessions.module';
import { SessionsService } from '../sessions.service';

export interface SessionsApp {
  url: string;
  app: INestApplication;
  eventLog: EventLog;
  service: SessionsService;
  close(): Promise<void>;
}

/**
 * A Nest application the way the daemon composes it (embedded event log in `dataDir`, JSON body parser) with the
 * SessionsModule and any other modules (e.g. the FacilitatorModule), on 127.0.0.1 and a free port.
 */
export async function startSessionsApp(opts: {
  dataDir: string;
  sessions: SessionsModuleOptions;
  imports?: DynamicModule[];
  port?: number;
}): Promise<SessionsApp> {
  @Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(opts.dataDir, 'log')}` }),
      ...(opts.imports ?? []),
      SessionsModule.forRoot(opts.sessions),
    ],
  })
  class SessionsTestAppModule {}

  const app = await NestFactory.create<NestExpressApplication>(SessionsTestAppModule, {
    bodyParser: false,
    logger: ['error'],
  });
  app.useBodyParser('json', { limit: '256kb' });
  await app.listen(opts.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    eventLog: app.get(EventLog),
    service: app.get(SessionsService),
    close: () => app.close(),
  };
}
