import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigException } from '@x402-ledger/config';

export interface BootstrapOptions {
  /** Root module (usually `SomeAppModule.forRoot(config)`). */
  module: unknown;
  host: string;
  port: number;
  /** Upper bound for the graceful shutdown; past it the process exits with code 1. */
  shutdownTimeoutMs: number;
  /** JSON body limit for every route (facilitator payloads are a few KB). */
  bodyLimit?: string;
  /** Runs after the HTTP server closed and every module's OnApplicationShutdown hook ran (e.g. stop a dev chain). */
  afterClose?: () => Promise<void>;
}

/**
 * Creates and starts one Nest HTTP application with the shared conventions:
 * pino as the Nest logger, JSON body limit, loopback by default, and a graceful shutdown on SIGTERM/SIGINT:
 * stop accepting, drain in-flight requests (server.close), run OnApplicationShutdown hooks (flush the log, close
 * ClickHouse/chDB), then exit 0 — or exit 1 if that takes longer than `shutdownTimeoutMs`.
 */
export async function bootstrap(options: BootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(options.module as never, {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useBodyParser('json', { limit: options.bodyLimit ?? '256kb' });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  let closing: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    if (closing) return;
    logger.log({ msg: 'shutting down: draining in-flight requests', signal });
    const timer = setTimeout(() => {
      logger.error({ msg: 'graceful shutdown timed out; exiting', timeoutMs: options.shutdownTimeoutMs });
      process.exit(1);
    }, options.shutdownTimeoutMs);
    timer.unref();
    closing = app
      .close()
      .then(() => options.afterClose?.())
      .then(
        () => {
          logger.log('shutdown complete');
          clearTimeout(timer);
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ msg: 'error during shutdown', err: error });
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen(options.port, options.host);
  return app;
}

/** Runs `main`, turning a configuration error into one readable message and exit code 2 (no stack trace). */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigException) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
