import { randomUUID } from 'node:crypto';
import type { ApiPrincipal } from '../auth/api-key.store';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import type { PrincipalRequest } from './api-key.guard';

/** The caller (set by ApiKeyGuard). */
export function principalOf(request: PrincipalRequest): ApiPrincipal {
  if (!request.x402Principal) throw new FacilitatorException(FacilitatorErrorCode.UNAUTHENTICATED, 'not authenticated');
  return request.x402Principal;
}

/** `x-request-id` when the caller sent a sane one, else a fresh id: the correlationId of every event of the call. */
export function correlationIdOf(request: PrincipalRequest): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && /^[\w.:-]{1,200}$/.test(header) ? header : randomUUID();
}

/** Refuses bodies above the facilitator's own limit (the app's parser may allow more). */
export function checkBodySize(request: PrincipalRequest, limit: number): void {
  const declared = Number(request.headers['content-length'] ?? NaN);
  const size = Number.isFinite(declared) ? declared : Buffer.byteLength(JSON.stringify(request.body ?? null));
  if (size > limit)
    throw new FacilitatorException(FacilitatorErrorCode.BODY_TOO_LARGE, `request body larger than ${limit} bytes`);
}

/** Runs `work` within `ms`, else throws TIMEOUT (the work itself finishes in the background). */
export async function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FacilitatorException(FacilitatorErrorCode.TIMEOUT, `${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
