import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LmdbEventLog } from './embedded/lmdb-event-log';
import { EventLogErrorCode } from './event-log.exception';
import { SILENT_EVENT_LOG_LOGGER } from './event-log.logger';
import { EventLogModule } from './event-log.module';
import { EventLog } from './event-log.port';
import { sampleEnvelope } from './testing/sample-envelope';

@Injectable()
class Appender {
  constructor(readonly log: EventLog) {}
}

@Module({ providers: [Appender] })
class FeatureModule {}

describe('EventLogModule', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x402-event-log-module-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('provides the EventLog port from the URL to every module, and closes it on application shutdown', async () => {
    const app = await NestFactory.createApplicationContext(
      {
        module: class Root {},
        imports: [EventLogModule.forRoot({ url: `file:${dir}`, logger: SILENT_EVENT_LOG_LOGGER }), FeatureModule],
      },
      { logger: false },
    );
    const sut = app.get(Appender).log;
    expect(sut).toBeInstanceOf(LmdbEventLog);
    expect(await sut.append([sampleEnvelope('m', 1)])).toEqual([{ partition: 0, offset: '0' }]);
    await app.close();
    await expect(sut.append([sampleEnvelope('m', 2)])).rejects.toMatchObject({ code: EventLogErrorCode.CLOSED });
  });

  it('fails the application start on a bad URL with INVALID_URL', async () => {
    await expect(
      NestFactory.createApplicationContext(EventLogModule.forRoot({ url: 'mysql://nope' }), {
        logger: false,
        abortOnError: false,
      }),
    ).rejects.toMatchObject({ code: EventLogErrorCode.INVALID_URL });
  });
});
