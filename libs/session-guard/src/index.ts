// Resource-server SDK and client wrapper for x402 sessions ("pay once, then reuse"). Self-contained: depends only on
// the official @x402 packages, jose and (optionally) express / @nestjs/common — shaped to be published on its own.
export * from './session-guard.constants';
export { SessionGuardErrorCode, SessionGuardException } from './session-guard.exception';
export type * from './service/session-api.types';
export { SessionServiceClient, type SessionServiceClientOptions } from './service/session-service.client';
export { NoncePool, type NoncePoolOptions } from './service/nonce-pool';
export {
  parseSessionClaims,
  peekSessionClaims,
  type SessionEnforcement,
  type SessionTokenClaims,
  type SessionTokenLimits,
} from './token/session-token.claims';
export { JwksSource, ServiceJwksSource, StaticJwksSource } from './token/jwks.source';
export { TokenVerifier, type TokenVerifierOptions, type VerifiedSessionToken } from './token/token-verifier';
export { RevocationList } from './revocation/revocation-list';
export { RevocationPoller, type RevocationPollerOptions } from './revocation/revocation-poller';
export {
  RouteTable,
  normalizeRequestPath,
  parseRoutePattern,
  routeMatches,
  type RoutePattern,
} from './routes/route-pattern';
export { UsageMeter, type UsageMeterOptions } from './metering/usage-meter';
export { paymentIdOf } from './payment/payment-id.util';
export {
  SessionGuard,
  type AuthorizeResult,
  type SessionGuardOptions,
  type SessionRouteConfig,
} from './server/session-guard';
export type { SessionGuardEvent } from './server/session-guard.events';
export { sessionRequestScope, type SessionRequestScope } from './server/request-context';
export { sessionMiddleware } from './express/session.middleware';
export { SessionPaymentGuard } from './nest/session-payment.guard';
export { LedgerSIWxStorage } from './storage/ledger-siwx.storage';
export { SessionTokenStore } from './client/session-token.store';
export { wrapFetchWithSession, type SessionFetchEvent, type SessionFetchOptions } from './client/session-fetch';
