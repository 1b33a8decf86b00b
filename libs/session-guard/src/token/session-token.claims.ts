import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';

/** How a session's call and budget limits are enforced by resource servers. */
export type SessionEnforcement = 'strict' | 'local';

/** The limits a session token carries (atomic units as decimal strings; null = unlimited). */
export interface SessionTokenLimits {
  /** Max calls over the whole session. */
  calls: number | null;
  /** Max spend over the whole session, atomic units of the paid asset. */
  budget: string | null;
  /** Spend per call (price per call), atomic units; "0" for a per-session price. */
  ppc: string;
  /** `strict`: every call is reserved with the service; `local`: metered locally, reported in batches. */
  enf: SessionEnforcement;
}

/**
 * Claims of a session token (a compact JWS, `typ` x402-session+jwt, EdDSA or ES256, `kid` naming a JWKS key).
 * Validators read them locally: no round trip to the service.
 */
export interface SessionTokenClaims {
  /** The session service that signed it. */
  iss: string;
  /** The wallet the session belongs to (checksummed). */
  sub: string;
  /** The resource server origin the session is for, e.g. `https://api.example.com`. */
  aud: string;
  /** Issued at / expires at (unix seconds). Tokens are short-lived; `sexp` is the session's own end. */
  iat: number;
  exp: number;
  /** Unique token id. */
  jti: string;
  /** Session id (64 hex). */
  sid: string;
  /** Payment id that bought the session (64 hex). */
  pid: string;
  /** Tenant (provider) the session belongs to. */
  ten: string;
  /** Scope: route keys "METHOD /path/template" the session opens. */
  scp: string[];
  lim: SessionTokenLimits;
  /** Session end (unix seconds); a token never outlives it. */
  sexp: number;
  /** Policy that defined the session, `id@version`. */
  pol: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

function fail(message: string): never {
  throw new SessionGuardException(SessionGuardErrorCode.INVALID_TOKEN, `session token claims: ${message}`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Validates a decoded JWT payload as session token claims (throws INVALID_TOKEN). */
export function parseSessionClaims(payload: unknown): SessionTokenClaims {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) fail('not an object');
  const p = payload as Record<string, unknown>;
  if (!isStr(p.iss, 200)) fail('iss');
  if (!isStr(p.sub, 100)) fail('sub');
  if (!isStr(p.aud, 2048)) fail('aud');
  if (!isInt(p.iat) || !isInt(p.exp) || p.exp <= p.iat) fail('iat/exp');
  if (!isStr(p.jti, 200)) fail('jti');
  if (typeof p.sid !== 'string' || !HEX64.test(p.sid)) fail('sid');
  if (typeof p.pid !== 'string' || !HEX64.test(p.pid)) fail('pid');
  if (!isStr(p.ten, 100)) fail('ten');
  if (!Array.isArray(p.scp) || p.scp.length === 0 || p.scp.length > 100 || !p.scp.every((r) => isStr(r, 1000)))
    fail('scp');
  if (!isInt(p.sexp) || p.sexp < p.exp) fail('sexp');
  if (!isStr(p.pol, 300)) fail('pol');
  const lim = p.lim as Record<string, unknown> | null;
  if (lim === null || typeof lim !== 'object') fail('lim');
  if (!(lim.calls === null || (isInt(lim.calls) && lim.calls > 0))) fail('lim.calls');
  if (!(lim.budget === null || (typeof lim.budget === 'string' && AMOUNT.test(lim.budget)))) fail('lim.budget');
  if (typeof lim.ppc !== 'string' || !AMOUNT.test(lim.ppc)) fail('lim.ppc');
  if (lim.enf !== 'strict' && lim.enf !== 'local') fail('lim.enf');
  return {
    iss: p.iss,
    sub: p.sub,
    aud: p.aud,
    iat: p.iat,
    exp: p.exp,
    jti: p.jti,
    sid: p.sid,
    pid: p.pid,
    ten: p.ten,
    scp: p.scp as string[],
    lim: { calls: lim.calls as number | null, budget: lim.budget as string | null, ppc: lim.ppc, enf: lim.enf },
    sexp: p.sexp,
    pol: p.pol,
  };
}

/**
 * Reads a token's claims WITHOUT verifying its signature — for clients choosing which stored token to send.
 * Returns undefined for anything that is not a readable session token. Never use this to grant access.
 */
export function peekSessionClaims(token: string): SessionTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return parseSessionClaims(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}
