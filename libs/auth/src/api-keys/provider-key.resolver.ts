import type { ApiKeyService } from './api-key.service';

/** What the facilitator needs to know about a presented key (structurally its `ApiPrincipal`). */
export interface ProviderKeyPrincipal {
  tenant: string;
  keyId: string;
}

/**
 * Resolves provider API keys for other transports (the facilitator's `ApiKeyStore` port has exactly this
 * `authenticate` method): a tenant-bound provider key → its tenant and key id; admin keys, wallet tokens, unknown
 * and revoked keys → null. Bind it in the composition root:
 * `{ provide: ApiKeyStore, inject: [ApiKeyService], useFactory: (keys) => new ProviderKeyResolver(keys) }`.
 */
export class ProviderKeyResolver {
  constructor(private readonly keys: ApiKeyService) {}

  async authenticate(apiKey: string): Promise<ProviderKeyPrincipal | null> {
    const principal = this.keys.verify(apiKey);
    if (!principal || principal.kind !== 'provider' || principal.tenant === null) return null;
    return { tenant: principal.tenant, keyId: principal.id.replace(/^key:/, '') };
  }
}
