/** What the index knows about one API key (never the key itself). */
export interface ApiKeyRecord {
  keyId: string;
  role: 'provider' | 'admin';
  tenant: string | null;
  /** Checksummed payTo addresses; empty = every payTo of the tenant. */
  payTo: string[];
  label: string;
  keyHash: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

/** A record without its hash, for listings. */
export type ApiKeySummary = Omit<ApiKeyRecord, 'keyHash'>;

export function summarize(record: ApiKeyRecord): ApiKeySummary {
  const { keyHash: _hidden, ...rest } = record;
  return { ...rest, payTo: [...rest.payTo] };
}
