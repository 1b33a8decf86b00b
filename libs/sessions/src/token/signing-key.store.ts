import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';

/** A token signing key: private JWK (never logged, never served) and its public half. */
export interface StoredSigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
  /** When it stopped signing (a newer key took over); its public key stays published while tokens may live. */
  retiredAt: string | null;
}

/** Where signing keys are kept across restarts (a port: a file by default, a KMS later). */
export abstract class SigningKeyStore {
  abstract load(): Promise<StoredSigningKey[]>;
  abstract save(keys: readonly StoredSigningKey[]): Promise<void>;
}

export class MemorySigningKeyStore extends SigningKeyStore {
  private keys: StoredSigningKey[] = [];

  async load(): Promise<StoredSigningKey[]> {
    return [...this.keys];
  }

  async save(keys: readonly StoredSigningKey[]): Promise<void> {
    this.keys = [...keys];
  }
}

/** Keys in a JSON file (mode 0600, written atomically). */
export class FileSigningKeyStore extends SigningKeyStore {
  constructor(private readonly file: string) {
    super();
  }

  async load(): Promise<StoredSigningKey[]> {
    if (!existsSync(this.file)) return [];
    return (JSON.parse(readFileSync(this.file, 'utf8')) as { keys: StoredSigningKey[] }).keys;
  }

  async save(keys: readonly StoredSigningKey[]): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
