/**
 * Token buckets per key: `perMinute` requests per minute on average, bursts up to one minute's worth. In memory
 * (per process); returns the seconds to wait when a request is refused.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, perMinute: number): number {
    if (perMinute <= 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * perMinute);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) / perMinute) * 60));
  }
}
