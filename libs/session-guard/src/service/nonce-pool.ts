import type { IssuedNonce } from './session-api.types';
import type { SessionServiceClient } from './session-service.client';

export interface NoncePoolOptions {
  /** Nonces fetched per refill (default 32). */
  batchSize?: number;
  /** Refill in the background when fewer than this many are left (default 8). */
  lowWater?: number;
  /** A nonce is handed out only if it stays valid this long (default 60 s: time to sign, pay and settle). */
  minRemainingMs?: number;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Service-issued SIWx nonces for one origin, fetched in batches so that building a 402 challenge rarely waits for
 * the service. Each nonce is handed out once; unused ones simply expire on the service.
 */
export class NoncePool {
  private readonly pool: IssuedNonce[] = [];
  private refilling: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly lowWater: number;
  private readonly minRemainingMs: number;
  private readonly now: () => number;
  domain: string | undefined;

  constructor(
    private readonly client: SessionServiceClient,
    private readonly origin: string,
    private readonly options: NoncePoolOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 32;
    this.lowWater = options.lowWater ?? 8;
    this.minRemainingMs = options.minRemainingMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async take(): Promise<IssuedNonce> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const nonce = this.takeFresh();
      if (nonce) {
        if (this.pool.length < this.lowWater) void this.refill().catch((e) => this.options.onError?.(e));
        return nonce;
      }
      await this.refill();
    }
    throw new Error('the session service issued no usable nonce');
  }

  get available(): number {
    return this.pool.length;
  }

  refill(): Promise<void> {
    if (!this.refilling) {
      this.refilling = this.client
        .issueNonces(this.origin, this.batchSize)
        .then((answer) => {
          this.domain = answer.domain;
          this.pool.push(...answer.nonces);
        })
        .finally(() => (this.refilling = undefined));
    }
    return this.refilling;
  }

  private takeFresh(): IssuedNonce | undefined {
    const limit = this.now() + this.minRemainingMs;
    while (this.pool.length > 0) {
      const nonce = this.pool.shift()!;
      if (Date.parse(nonce.expiresAt) > limit) return nonce;
    }
    return undefined;
  }
}
