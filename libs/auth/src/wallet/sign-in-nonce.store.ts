import { Clock } from '@x402-ledger/ledger';
import { SecretGenerator } from '../crypto/secret-generator.port';

/**
 * Single-use SIWE nonces, in memory with a time to live. One process: an API instance behind a load balancer needs
 * sticky sign-in requests, or a shared store (the ledger's session.nonce_* aggregate) bound instead.
 */
export class SignInNonceStore {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly secrets: SecretGenerator,
    private readonly ttlMs = 5 * 60_000,
    private readonly capacity = 100_000,
  ) {}

  issue(): { nonce: string; expiresAt: Date } {
    this.sweep();
    if (this.nonces.size >= this.capacity) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
    const nonce = this.secrets.hex(16);
    const expiresAt = this.clock.now().getTime() + this.ttlMs;
    this.nonces.set(nonce, expiresAt);
    return { nonce, expiresAt: new Date(expiresAt) };
  }

  /** True once per issued, unexpired nonce; the nonce is gone afterwards whatever the answer. */
  consume(nonce: string): boolean {
    const expiresAt = this.nonces.get(nonce);
    if (expiresAt === undefined) return false;
    this.nonces.delete(nonce);
    return expiresAt > this.clock.now().getTime();
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [nonce, expiresAt] of this.nonces) {
      if (expiresAt > now) break;
      this.nonces.delete(nonce);
    }
  }
}
