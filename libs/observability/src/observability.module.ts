import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health.controller';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

export interface ObservabilityOptions {
  service: string;
  level: string;
  /** Provider that yields ReadinessCheck[] for /health/ready (useFactory + inject in the composition root). */
  readinessChecks:
    | { useValue: ReadinessCheck[] }
    | { useFactory: (...deps: never[]) => ReadinessCheck[] | Promise<ReadinessCheck[]>; inject: unknown[] };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Structured JSON logs (pino) with a request id per HTTP request (taken from a sane `x-request-id` or generated and
 * echoed back), Prometheus metrics at /metrics and liveness/readiness at /health/live and /health/ready.
 * Secrets in headers are redacted.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["payment-signature"]',
                'req.headers["sign-in-with-x"]',
                'req.headers["x-api-key"]',
              ],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        MetricsService,
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
        { ...options.readinessChecks, provide: READINESS_CHECKS } as Provider,
      ],
      exports: [MetricsService],
    };
  }
}
