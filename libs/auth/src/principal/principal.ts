import { AuthErrorCode, AuthException } from '../auth.exception';

/**
 * Who is calling. Every read and every command is scoped by it.
 *
 * - `admin` sees every tenant and may arbitrate disputes.
 * - `provider` sees the payments of its tenant, narrowed to its payTo addresses when it has any. A provider proven by a
 *   wallet sign-in has no tenant: it sees the payments paid to its address in any tenant (it received that money).
 * - `payer` (wallet sign-in) sees the payments it made and may dispute them.
 *
 * Addresses are lowercase here; compare case-insensitively and checksum at the edges.
 */
export type Principal = AdminPrincipal | ProviderPrincipal | PayerPrincipal;

export interface AdminPrincipal {
  kind: 'admin';
  /** Stable id of the credential: `key:<keyId>` or `admin:config`; used for rate limits and as the actor name. */
  id: string;
}

export interface ProviderPrincipal {
  kind: 'provider';
  id: string;
  /** null only for a wallet-proven provider, which then always has exactly one payTo address. */
  tenant: string | null;
  /** Lowercase payTo addresses; empty = every payTo of the tenant. */
  payTo: string[];
}

export interface PayerPrincipal {
  kind: 'payer';
  id: string;
  /** Lowercase wallet address. */
  wallet: string;
}

export type PrincipalKind = Principal['kind'];

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function isAddress(value: string): boolean {
  return ADDRESS.test(value);
}

export function isTenantId(value: string): boolean {
  return TENANT.test(value);
}

export function adminPrincipal(id: string): AdminPrincipal {
  return { kind: 'admin', id };
}

/** A provider principal; refuses the combination that would mean "everything" (no tenant and no payTo). */
export function providerPrincipal(id: string, tenant: string | null, payTo: readonly string[]): ProviderPrincipal {
  if (tenant !== null && !isTenantId(tenant)) {
    throw new AuthException(AuthErrorCode.INVALID_INPUT, `invalid tenant id`);
  }
  for (const address of payTo) {
    if (!isAddress(address)) throw new AuthException(AuthErrorCode.INVALID_INPUT, `invalid payTo address ${address}`);
  }
  if (tenant === null && payTo.length === 0) {
    throw new AuthException(AuthErrorCode.INVALID_INPUT, 'a provider without a tenant needs a payTo address');
  }
  return { kind: 'provider', id, tenant, payTo: [...new Set(payTo.map((a) => a.toLowerCase()))].sort() };
}

export function payerPrincipal(id: string, wallet: string): PayerPrincipal {
  if (!isAddress(wallet)) throw new AuthException(AuthErrorCode.INVALID_INPUT, `invalid wallet address`);
  return { kind: 'payer', id, wallet: wallet.toLowerCase() };
}

/** The facts about a payment that decide who may see it. */
export interface PaymentOwnership {
  tenant: string;
  payTo: string;
  payer: string | null;
}

/** True when `principal` may see a payment with these facts (and, through it, its refunds, disputes and sessions). */
export function canSeePayment(principal: Principal, payment: PaymentOwnership): boolean {
  switch (principal.kind) {
    case 'admin':
      return true;
    case 'provider':
      if (principal.tenant !== null && principal.tenant !== payment.tenant) return false;
      return principal.payTo.length === 0 || principal.payTo.includes(payment.payTo.toLowerCase());
    case 'payer':
      return payment.payer !== null && payment.payer.toLowerCase() === principal.wallet;
  }
}

/** The name recorded as the actor of a command (approvedBy, openedBy, …). */
export function actorOf(principal: Principal): string {
  return principal.id;
}
