import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyService, WalletSignInService, type Principal } from '@x402-ledger/auth';
import { requirePrincipal, requireRole, type ApiContext } from '../graphql/api-context';
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from '../models/api-key.model';
import { PrincipalRole, WalletRole } from '../models/enums';
import { checksum } from '../models/presenters';
import { SignInChallenge, SignInPayload, Viewer } from '../models/viewer.model';

export function viewerOf(principal: Principal): Viewer {
  return {
    id: principal.id,
    role: principal.kind as PrincipalRole,
    tenant: principal.kind === 'provider' ? principal.tenant : null,
    payTo: principal.kind === 'provider' ? principal.payTo.map((a) => checksum(a) ?? a) : [],
    wallet: principal.kind === 'payer' ? checksum(principal.wallet) : null,
  };
}

@Resolver()
export class AuthResolver {
  constructor(
    private readonly signIn: WalletSignInService,
    private readonly keys: ApiKeyService,
  ) {}

  @Query(() => Viewer, { description: 'The authenticated caller.' })
  viewer(@Context() ctx: ApiContext): Viewer {
    return viewerOf(requirePrincipal(ctx));
  }

  @Mutation(() => SignInChallenge, {
    description:
      'Step 1 of wallet sign-in: a single-use nonce (5 minutes) for a SIWE (EIP-4361) message naming `domain`.',
  })
  createSignInChallenge(): SignInChallenge {
    return this.signIn.createNonce();
  }

  @Mutation(() => SignInPayload, {
    description:
      'Step 2: the signed SIWE message → a bearer token scoped to the address (PROVIDER: payments paid to it; PAYER: payments it made).',
  })
  async signInWithWallet(
    @Args('message') message: string,
    @Args('signature') signature: string,
    @Args('role', { type: () => WalletRole }) role: WalletRole,
  ): Promise<SignInPayload> {
    const result = await this.signIn.signIn({ message, signature, role: role as 'provider' | 'payer' });
    return { token: result.token, expiresAt: result.expiresAt, viewer: viewerOf(result.principal) };
  }

  @Query(() => [ApiKey], { description: 'Admins: API keys (without secrets).' })
  apiKeys(
    @Context() ctx: ApiContext,
    @Args('tenant', { type: () => String, nullable: true }) tenant?: string,
    @Args('includeRevoked', { defaultValue: false }) includeRevoked?: boolean,
  ): ApiKey[] {
    requireRole(ctx, 'admin');
    return this.keys.list({ tenant: tenant ?? undefined, includeRevoked: includeRevoked ?? false });
  }

  @Mutation(() => CreatedApiKey, { description: 'Admins: a provider API key for a tenant (durable on the event log).' })
  async createApiKey(@Context() ctx: ApiContext, @Args('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const admin = requireRole(ctx, 'admin');
    const created = await this.keys.create({
      role: 'provider',
      tenant: input.tenant,
      payTo: input.payTo ?? [],
      label: input.label,
      createdBy: admin.id,
    });
    return { key: created.key, apiKey: created.record };
  }

  @Mutation(() => ApiKey, {
    description: 'Admins: revoke an API key (idempotent). Takes effect at once in this process.',
  })
  async revokeApiKey(
    @Context() ctx: ApiContext,
    @Args('keyId') keyId: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
  ): Promise<ApiKey> {
    const admin = requireRole(ctx, 'admin');
    return this.keys.revoke(keyId, { reason: reason ?? null, revokedBy: admin.id });
  }
}
