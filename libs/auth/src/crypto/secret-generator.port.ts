import { randomBytes } from 'node:crypto';

/** Randomness as a port: production draws from the OS CSPRNG, tests may pass a deterministic source. */
export abstract class SecretGenerator {
  /** `length` random bytes as lowercase hex. */
  abstract hex(length: number): string;
}

export class CryptoSecretGenerator extends SecretGenerator {
  hex(length: number): string {
    return randomBytes(length).toString('hex');
  }
}
