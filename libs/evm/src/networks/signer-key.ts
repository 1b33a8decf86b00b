import type { Hex } from 'viem';

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * A facilitator signer's private key. It never prints: JSON, string and util.inspect forms are redacted, so a config
 * object can be logged whole without leaking it.
 */
export class SignerKey {
  readonly #key: Hex;

  private constructor(key: Hex) {
    this.#key = key;
  }

  static parse(text: string): SignerKey | null {
    const t = text.trim();
    return PRIVATE_KEY.test(t) ? new SignerKey(t as Hex) : null;
  }

  /** The raw key, for the one place that builds an account from it. */
  reveal(): Hex {
    return this.#key;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SignerKey([redacted])';
  }
}
