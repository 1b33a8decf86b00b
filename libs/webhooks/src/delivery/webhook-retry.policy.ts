import type { WebhooksOptions } from '../webhooks.options';

/**
 * Exponential backoff: after attempt n (1-based) fails, wait initial × 2^(n−1), capped at maxDelay; give up when the
 * next attempt would fall beyond the retry window (default a day) after the window started. With the defaults
 * (10 s doubling to 1 h, 24 h) that is about 30 attempts.
 */
export function nextAttemptAt(
  options: Pick<WebhooksOptions, 'initialDelaySeconds' | 'maxDelaySeconds' | 'retryWindowSeconds'>,
  attempts: number,
  now: Date,
  windowStartedAt: Date,
): Date | null {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const delayMs = Math.min(options.initialDelaySeconds * 2 ** exponent, options.maxDelaySeconds) * 1000;
  const at = now.getTime() + delayMs;
  return at - windowStartedAt.getTime() > options.retryWindowSeconds * 1000 ? null : new Date(at);
}
