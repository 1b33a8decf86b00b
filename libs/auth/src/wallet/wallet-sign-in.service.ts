import { parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { Clock } from '@x402-ledger/ledger';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { payerPrincipal, providerPrincipal } from '../principal/principal';
import type { AccessTokenService, IssuedToken, WalletPrincipal } from '../tokens/access-token.service';
import type { SignInNonceStore } from './sign-in-nonce.store';
import type { SignatureVerifier } from './signature-verifier.port';

export type WalletRole = 'provider' | 'payer';

export interface WalletSignInOptions {
  /** The `domain` a SIWE message must name (RFC 3986 authority, e.g. `api.example.com` or `127.0.0.1:4020`). */
  domain: string;
  /** Oldest acceptable `Issued At` (default 10 minutes). */
  maxAgeMs?: number;
}

export interface SignInResult extends IssuedToken {
  principal: WalletPrincipal;
}

/**
 * Sign-In with Ethereum (EIP-4361): the server hands out a single-use nonce, the wallet signs a SIWE message naming
 * this domain and that nonce, the server checks message, nonce, time window and signature, and issues a token scoped
 * to the address — as a provider (its payTo address) or as a payer (its own payments).
 */
export class WalletSignInService {
  constructor(
    private readonly options: WalletSignInOptions,
    private readonly nonces: SignInNonceStore,
    private readonly verifier: SignatureVerifier,
    private readonly tokens: AccessTokenService,
    private readonly clock: Clock,
  ) {}

  createNonce(): { nonce: string; expiresAt: Date; domain: string } {
    return { ...this.nonces.issue(), domain: this.options.domain };
  }

  async signIn(input: { message: string; signature: string; role: WalletRole }): Promise<SignInResult> {
    if (input.role !== 'provider' && input.role !== 'payer') {
      throw new AuthException(AuthErrorCode.INVALID_INPUT, 'role must be provider or payer');
    }
    if (typeof input.message !== 'string' || input.message.length > 4000) {
      throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'the SIWE message is missing or too long');
    }
    if (!/^0x[0-9a-fA-F]{130,}$/.test(input.signature ?? '') || input.signature.length > 20_000) {
      throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'the signature is not hex');
    }
    const parsed = parseSiweMessage(input.message);
    if (!parsed.address || !parsed.nonce || !parsed.domain || !parsed.chainId) {
      throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'not a SIWE message (address, domain, nonce, chain id)');
    }
    const now = this.clock.now();
    // The nonce is spent by the first attempt, valid or not.
    const nonceOk = this.nonces.consume(parsed.nonce);
    if (parsed.domain !== this.options.domain) {
      throw new AuthException(
        AuthErrorCode.SIGN_IN_REJECTED,
        `the message names domain ${parsed.domain}, expected ${this.options.domain}`,
      );
    }
    if (!nonceOk) throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'unknown, used or expired nonce');
    if (!validateSiweMessage({ message: parsed, domain: this.options.domain, nonce: parsed.nonce, time: now })) {
      throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'the message is expired or not yet valid');
    }
    const issuedAt = parsed.issuedAt?.getTime();
    const maxAge = this.options.maxAgeMs ?? 10 * 60_000;
    if (issuedAt === undefined || issuedAt > now.getTime() + 60_000 || now.getTime() - issuedAt > maxAge) {
      throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'Issued At is missing, in the future or too old');
    }
    const valid = await this.verifier.verify({
      address: parsed.address,
      message: input.message,
      signature: input.signature as `0x${string}`,
      chainId: parsed.chainId,
    });
    if (!valid) throw new AuthException(AuthErrorCode.SIGN_IN_REJECTED, 'the signature does not match the address');
    const address = parsed.address.toLowerCase();
    const principal: WalletPrincipal =
      input.role === 'payer'
        ? payerPrincipal(`wallet:${address}`, address)
        : providerPrincipal(`wallet:${address}`, null, [address]);
    const issued = await this.tokens.issue(principal, parsed.expirationTime);
    return { ...issued, principal };
  }
}
