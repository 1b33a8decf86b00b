import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthorizeResult, SessionGuard } from '../server/session-guard';
import { sessionRequestScope } from '../server/request-context';
import { SESSION_HEADER } from '../session-guard.constants';

/**
 * Express middleware: a request with a valid session token for a session route is served at once — no 402, no
 * payment middleware, no round trip (local enforcement). Anything else (no token, a refused token, an exhausted or
 * expired session, a non-session route) goes to the official `@x402/express` payment middleware, which answers the
 * normal 402 or verifies and settles a payment; the guard's extension then turns a settled payment + SIWx proof into
 * a session token (PAYMENT-SESSION response header).
 *
 * ```ts
 * const guard = new SessionGuard({ service: { baseUrl, apiKey }, origin, routes: { 'GET /weather': 'weather' } });
 * await guard.start();
 * const server = new x402ResourceServer(facilitator).register(network, new ExactEvmScheme()).registerExtension(guard.extension());
 * app.use(sessionMiddleware(guard, paymentMiddleware(routes, server)));
 * ```
 */
export function sessionMiddleware(guard: SessionGuard, payment: RequestHandler): RequestHandler {
  const pay = (req: Request, res: Response, next: NextFunction): void => {
    sessionRequestScope.run({ setHeader: (name, value) => res.setHeader(name, value) }, () => {
      Promise.resolve(payment(req, res, next)).catch(next);
    });
  };
  const admit = (result: AuthorizeResult, req: Request, res: Response, next: NextFunction): void => {
    if (!result.ok) return pay(req, res, next);
    if (result.refreshedToken) res.setHeader(SESSION_HEADER, result.refreshedToken);
    next();
  };
  return (req, res, next) => {
    const token = req.headers['payment-session'];
    if (typeof token !== 'string' || token.length === 0) return pay(req, res, next);
    const result = guard.authorize(req.method, req.path, token);
    if (result instanceof Promise) {
      result.then((r) => admit(r, req, res, next), next);
      return;
    }
    admit(result, req, res, next);
  };
}
