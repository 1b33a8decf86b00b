import { HttpException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionGuard } from '../server/session-guard';
import { sessionMiddleware } from '../express/session.middleware';

/**
 * NestJS guard (Express platform) with the same behaviour as `sessionMiddleware`: a valid session token passes; any
 * other request is handed to the official x402 payment middleware. When that middleware answers by itself (402,
 * 412, 502…) the guard stops the route (Nest sees the response already sent); when it lets the request through
 * (payment verified) the handler runs and the middleware settles after it, exactly as in plain Express.
 *
 * ```ts
 * @UseGuards(new SessionPaymentGuard(guard, paymentMiddleware(routes, server)))
 * ```
 */
export class SessionPaymentGuard implements CanActivate {
  private readonly middleware: RequestHandler;

  constructor(guard: SessionGuard, payment: RequestHandler) {
    this.middleware = sessionMiddleware(guard, payment);
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        res.off('finish', onFinish);
        fn();
      };
      const onFinish = (): void =>
        finish(() => reject(new HttpException('response already sent by the payment middleware', res.statusCode)));
      res.once('finish', onFinish);
      const next: NextFunction = (error?: unknown) =>
        finish(() => (error === undefined || error === 'route' ? resolve(true) : reject(error)));
      try {
        this.middleware(req, res, next);
      } catch (error) {
        finish(() => reject(error));
      }
    });
  }
}
