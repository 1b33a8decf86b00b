import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, finalize } from 'rxjs';
import { MetricsService } from './metrics.service';

/** Records every HTTP request's duration labelled by route template (never the raw path: bounded cardinality). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const started = process.hrtime.bigint();
    return next.handle().pipe(
      finalize(() => {
        const res = http.getResponse<Response>();
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      }),
    );
  }
}
