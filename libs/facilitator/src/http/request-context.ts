import { randomUUID } from 'node:crypto';
import type { ApiPrincipal } from '../auth/api-key.store';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import type { FacilitatorMetrics, FacilitatorOutcome } from '../metrics/facilitator-metrics.port';
import { networkOf } from './facilitator-route';
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

/**
 * Runs one /verify or /settle and records its outcome (the answer's reason code, or the exception's code) and
 * duration; the answer or the exception passes through unchanged.
 */
export async function measured<T>(
  metrics: FacilitatorMetrics,
  route: FacilitatorOutcome['route'],
  body: unknown,
  work: () => Promise<T>,
  classify: (answer: T) => Pick<FacilitatorOutcome, 'outcome' | 'reason'>,
): Promise<T> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const network = networkOf(body) || 'unknown';
  try {
    const answer = await work();
    metrics.observe({ route, network, ...classify(answer), seconds: seconds() });
    return answer;
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    const reason = typeof code === 'string' ? code.toLowerCase() : 'internal';
    metrics.observe({ route, network, outcome: 'error', reason, seconds: seconds() });
    throw error;
  }
}
