import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '@x402-ledger/ledger';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { sessionPolicyInputSchema, type SessionPolicy, type SessionPolicyInput } from './session-policy';

/** Versioned session policies per tenant. Every version stays readable (sessions record the version they got). */
export abstract class PolicyRepository {
  /** The latest version of a policy, or undefined. */
  abstract current(tenant: string, id: string): SessionPolicy | undefined;
  /** A given version, or undefined. */
  abstract version(tenant: string, id: string, version: number): SessionPolicy | undefined;
  /** Latest versions of the tenant's policies, in creation order. */
  abstract list(tenant: string): SessionPolicy[];
  /**
   * Stores the terms as a new version, or returns the current version when the terms are identical. With source
   * `config` (seeding at start) the terms are compared with the last version that came from the configuration, so
   * a restart with an unchanged config file does not undo changes made through the API.
   */
  abstract put(input: SessionPolicyInput, source?: 'config' | 'api'): Promise<SessionPolicy>;
}

/** Parses policy terms; throws INVALID_POLICY listing the problems. */
export function parsePolicyInput(input: unknown): ReturnType<typeof sessionPolicyInputSchema.parse> {
  const result = sessionPolicyInputSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new SessionsException(SessionsErrorCode.INVALID_POLICY, `invalid session policy: ${detail}`);
  }
  return result.data;
}

const key = (tenant: string, id: string): string => `${tenant}|${id}`;
const sameTerms = (a: SessionPolicy, b: Omit<SessionPolicy, 'version' | 'createdAt' | 'source'>): boolean => {
  const strip = ({ version: _v, createdAt: _c, source: _s, ...terms }: SessionPolicy) => terms;
  return JSON.stringify(strip(a)) === JSON.stringify(b);
};

/** Policies in memory; with `file`, every version is also written to a JSON file (atomic rename) and reloaded. */
export class VersionedPolicyRepository extends PolicyRepository {
  private readonly versions = new Map<string, SessionPolicy[]>();

  constructor(
    private readonly clock: Clock,
    private readonly file?: string,
  ) {
    super();
    if (file && existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { policies: SessionPolicy[] };
      for (const p of stored.policies) {
        const list = this.versions.get(key(p.tenant, p.id)) ?? [];
        list.push(p);
        this.versions.set(key(p.tenant, p.id), list);
      }
      for (const list of this.versions.values()) list.sort((a, b) => a.version - b.version);
    }
  }

  current(tenant: string, id: string): SessionPolicy | undefined {
    const list = this.versions.get(key(tenant, id));
    return list?.[list.length - 1];
  }

  version(tenant: string, id: string, version: number): SessionPolicy | undefined {
    return this.versions.get(key(tenant, id))?.find((p) => p.version === version);
  }

  list(tenant: string): SessionPolicy[] {
    const out: SessionPolicy[] = [];
    for (const list of this.versions.values()) {
      const latest = list[list.length - 1];
      if (latest.tenant === tenant) out.push(latest);
    }
    return out;
  }

  async put(input: SessionPolicyInput, source: 'config' | 'api' = 'api'): Promise<SessionPolicy> {
    const terms = parsePolicyInput(input);
    const current = this.current(terms.tenant, terms.id);
    if (current && sameTerms(current, terms)) return current;
    if (current && source === 'config') {
      const lastFromConfig = [...(this.versions.get(key(terms.tenant, terms.id)) ?? [])]
        .reverse()
        .find((p) => p.source === 'config');
      if (lastFromConfig && sameTerms(lastFromConfig, terms)) return current;
    }
    const policy: SessionPolicy = {
      ...terms,
      version: (current?.version ?? 0) + 1,
      createdAt: this.clock.now().toISOString(),
      source,
    };
    const list = this.versions.get(key(terms.tenant, terms.id)) ?? [];
    list.push(policy);
    this.versions.set(key(terms.tenant, terms.id), list);
    this.persist();
    return policy;
  }

  private persist(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const all = [...this.versions.values()].flat();
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ policies: all }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
