import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { AnalyticsErrorCode, AnalyticsException } from '@x402-ledger/analytics';
import { AuthErrorCode, AuthException } from '@x402-ledger/auth';
import { LedgerErrorCode, LedgerException } from '@x402-ledger/ledger';
import { ApiErrorCode, ApiException } from '../api.exception';

/** Codes a client may see. */
export type ClientErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'PERSISTED_QUERY_NOT_ALLOWED'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_NOT_SUPPORTED'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'OPERATION_RESOLUTION_FAILURE'
  | 'BAD_REQUEST'
  | 'SERVICE_UNAVAILABLE'
  | 'NOT_AVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** Codes that come from graphql-js / Apollo / our limits and carry a message safe to show. */
const PASS_THROUGH = new Set<string>([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'PERSISTED_QUERY_NOT_ALLOWED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

const API_CODES: Record<ApiErrorCode, ClientErrorCode> = {
  [ApiErrorCode.BAD_USER_INPUT]: 'BAD_USER_INPUT',
  [ApiErrorCode.QUERY_TOO_DEEP]: 'QUERY_TOO_DEEP',
  [ApiErrorCode.QUERY_TOO_COMPLEX]: 'QUERY_TOO_COMPLEX',
  [ApiErrorCode.RATE_LIMITED]: 'RATE_LIMITED',
  [ApiErrorCode.PERSISTED_QUERY_NOT_ALLOWED]: 'PERSISTED_QUERY_NOT_ALLOWED',
  [ApiErrorCode.NOT_FOUND]: 'NOT_FOUND',
  [ApiErrorCode.FORBIDDEN]: 'FORBIDDEN',
  [ApiErrorCode.IDEMPOTENCY_CONFLICT]: 'CONFLICT',
  [ApiErrorCode.NOT_AVAILABLE]: 'NOT_AVAILABLE',
  [ApiErrorCode.UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
};

const AUTH_CODES: Record<AuthErrorCode, ClientErrorCode> = {
  [AuthErrorCode.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [AuthErrorCode.SIGN_IN_REJECTED]: 'UNAUTHENTICATED',
  [AuthErrorCode.FORBIDDEN]: 'FORBIDDEN',
  [AuthErrorCode.INVALID_INPUT]: 'BAD_USER_INPUT',
  [AuthErrorCode.KEY_NOT_FOUND]: 'NOT_FOUND',
  [AuthErrorCode.NOT_READY]: 'SERVICE_UNAVAILABLE',
};

/** Ledger codes outside mutations (mutations turn them into userErrors): input-like → BAD_USER_INPUT, else CONFLICT. */
function ledgerCode(code: LedgerErrorCode): ClientErrorCode {
  switch (code) {
    case LedgerErrorCode.NOT_FOUND:
      return 'NOT_FOUND';
    case LedgerErrorCode.INVALID_COMMAND:
    case LedgerErrorCode.INVALID_ID_INPUT:
      return 'BAD_USER_INPUT';
    case LedgerErrorCode.INVALID_EVENT:
    case LedgerErrorCode.UNKNOWN_EVENT_TYPE:
    case LedgerErrorCode.UNKNOWN_EVENT_VERSION:
    case LedgerErrorCode.NON_CANONICAL_VALUE:
    case LedgerErrorCode.STREAM_MISMATCH:
    case LedgerErrorCode.UNBALANCED_POSTINGS:
      return 'INTERNAL_SERVER_ERROR';
    default:
      return 'CONFLICT';
  }
}

export interface ClassifiedError {
  code: ClientErrorCode;
  /** A message safe to show (never SQL, stack traces or internal paths). */
  message: string;
  /** True when the cause must be logged server-side (the client only sees an error id). */
  internal: boolean;
}

/** Maps any thrown value to what a client may see. The one place codes from every module become GraphQL codes. */
export function classify(error: unknown): ClassifiedError {
  if (error instanceof ApiException) return { code: API_CODES[error.code], message: error.message, internal: false };
  if (error instanceof AuthException) {
    const code = AUTH_CODES[error.code];
    return {
      code,
      message: code === 'UNAUTHENTICATED' ? authMessage(error) : error.message,
      internal: code === 'SERVICE_UNAVAILABLE',
    };
  }
  if (error instanceof LedgerException) {
    const code = ledgerCode(error.code);
    return code === 'INTERNAL_SERVER_ERROR'
      ? { code, message: 'Internal error', internal: true }
      : { code, message: error.message, internal: false };
  }
  if (error instanceof AnalyticsException) {
    if (error.code === AnalyticsErrorCode.INVALID_QUERY)
      return { code: 'BAD_USER_INPUT', message: error.message, internal: false };
    return { code: 'SERVICE_UNAVAILABLE', message: 'The analytics store is unavailable', internal: true };
  }
  const status = (error as { status?: unknown; getStatus?: () => number })?.status;
  if (status === 401) return { code: 'UNAUTHENTICATED', message: 'Authentication required', internal: false };
  if (status === 403) return { code: 'FORBIDDEN', message: 'Forbidden', internal: false };
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error', internal: true };
}

function authMessage(error: AuthException): string {
  return error.code === AuthErrorCode.SIGN_IN_REJECTED ? `Sign-in rejected: ${error.message}` : error.message;
}

/** Walks GraphQLError.originalError chains to the thrown value. */
export function unwrap(error: unknown): unknown {
  let current = error as { originalError?: unknown } | undefined;
  for (let i = 0; i < 5 && current && typeof current === 'object' && current.originalError; i++) {
    current = current.originalError as { originalError?: unknown };
  }
  return current;
}

export interface ErrorLogger {
  error(message: string, meta: Record<string, unknown>): void;
}

/**
 * Apollo `formatError`: only codes from the table above, safe messages, an `errorId` for internal errors (logged with
 * the cause), never stack traces or SQL.
 */
export function createFormatError(logger: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrap(error);
    const givenCode = formatted.extensions?.['code'];
    // Apollo files our validation rules' errors under GRAPHQL_VALIDATION_FAILED; keep the limit's own code.
    if (givenCode === 'GRAPHQL_VALIDATION_FAILED' && formatted.extensions?.['maxDepth'] !== undefined) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: {
          code: 'QUERY_TOO_DEEP',
          depth: formatted.extensions['depth'],
          maxDepth: formatted.extensions['maxDepth'],
        },
      };
    }
    const isOwnGraphQLError =
      original === error || original === undefined || (original as { name?: string })?.name === 'GraphQLError';
    if (typeof givenCode === 'string' && PASS_THROUGH.has(givenCode) && isOwnGraphQLError) {
      const keep: Record<string, unknown> = { code: givenCode };
      for (const key of ['depth', 'maxDepth', 'cost', 'maxCost', 'retryAfterSeconds']) {
        if (formatted.extensions?.[key] !== undefined) keep[key] = formatted.extensions[key];
      }
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: keep };
    }
    const classified = classify(original);
    const extensions: Record<string, unknown> = { code: classified.code };
    // Nothing was decided (event log away, or another process owns the payment now): the client may retry.
    if (classified.code === 'SERVICE_UNAVAILABLE' && !classified.internal) extensions['retryable'] = true;
    if (classified.internal) {
      const errorId = randomUUID();
      extensions['errorId'] = errorId;
      logger.error('GraphQL request failed', {
        errorId,
        path: formatted.path,
        error:
          original instanceof Error
            ? { name: original.name, message: original.message, stack: original.stack }
            : String(original),
      });
    }
    return { message: classified.message, locations: formatted.locations, path: formatted.path, extensions };
  };
}
