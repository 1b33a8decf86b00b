import { z } from 'zod';
import { EventRegistry, sha256Hex } from '@x402-ledger/ledger';

/**
 * API key records as events on the log (stream type `tenant`, one stream per key: `sha256("api_key|<keyId>")`, so
 * creating and revoking never race on a shared sequence). The plaintext key never appears: only its sha256.
 *
 * These two contracts follow the ledger's envelope and registry rules (versioned zod strictObjects registered by
 * name). The ledger's registry does not define them (yet); consumers that parse every envelope with the ledger
 * registry must skip `tenant.*` or register `apiKeyEventRegistry`'s definitions.
 */
export const API_KEY_CREATED = 'tenant.api_key_created';
export const API_KEY_REVOKED = 'tenant.api_key_revoked';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const keyIdSchema = z.string().regex(/^[0-9a-f]{16}$/);

export const apiKeyCreatedV1 = z.strictObject({
  keyId: keyIdSchema,
  role: z.enum(['provider', 'admin']),
  /** null for an admin key. */
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/)
    .nullable(),
  /** Checksummed payTo addresses the key is limited to; empty = every payTo of the tenant. */
  payTo: z.array(address).max(100),
  label: z.string().min(1).max(200),
  /** sha256 hex of the full key text. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdBy: z.string().min(1).max(200),
});

export const apiKeyRevokedV1 = z.strictObject({
  keyId: keyIdSchema,
  reason: z.string().min(1).max(1000).nullable(),
  revokedBy: z.string().min(1).max(200),
});

export type ApiKeyCreatedData = z.infer<typeof apiKeyCreatedV1>;
export type ApiKeyRevokedData = z.infer<typeof apiKeyRevokedV1>;

/** The envelope tenant of admin keys (the envelope requires one). */
export const SYSTEM_TENANT = '_system';

export function apiKeyStreamId(keyId: string): string {
  return sha256Hex(`api_key|${keyId}`);
}

const byKeyId = (data: Record<string, unknown>): string | null =>
  typeof data['keyId'] === 'string' ? apiKeyStreamId(data['keyId']) : null;

/** Registry of the auth module's event contracts (used by the EventFactory that builds their envelopes). */
export function createApiKeyEventRegistry(): EventRegistry {
  return new EventRegistry()
    .register({
      type: API_KEY_CREATED,
      streamType: 'tenant',
      streamIdOf: byKeyId,
      versions: [{ version: 1, schema: apiKeyCreatedV1 }],
    })
    .register({
      type: API_KEY_REVOKED,
      streamType: 'tenant',
      streamIdOf: byKeyId,
      versions: [{ version: 1, schema: apiKeyRevokedV1 }],
    });
}

export const apiKeyEventRegistry: EventRegistry = createApiKeyEventRegistry();
