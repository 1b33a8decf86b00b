import { randomBytes } from 'node:crypto';

/** Randomness as a port (nonces, token ids, keys' ids in tests). */
export abstract class RandomSource {
  abstract bytes(length: number): Buffer;
}

export class CryptoRandomSource extends RandomSource {
  bytes(length: number): Buffer {
    return randomBytes(length);
  }
}
