import type { Principal } from '@x402-ledger/auth';
import { ApiErrorCode, ApiException } from '../api.exception';

/**
 * What a principal may read, as SQL-ready restrictions. null = unrestricted on that dimension. Every reader takes a
 * ReadScope and renders it with `scopeConditions`, which refuses (FORBIDDEN) to run a query over a table that lacks a
 * column the scope restricts — a scope can never be silently dropped.
 */
export interface ReadScope {
  tenant: string | null;
  /** Lowercase payTo addresses. */
  payTo: string[] | null;
  /** Lowercase payer wallet. */
  payer: string | null;
}

export const UNRESTRICTED: ReadScope = { tenant: null, payTo: null, payer: null };

export function scopeOf(principal: Principal): ReadScope {
  switch (principal.kind) {
    case 'admin':
      return UNRESTRICTED;
    case 'provider':
      return { tenant: principal.tenant, payTo: principal.payTo.length > 0 ? principal.payTo : null, payer: null };
    case 'payer':
      return { tenant: null, payTo: null, payer: principal.wallet };
  }
}

export interface ScopeColumns {
  tenant: string;
  payTo?: string;
  payer?: string;
}

/** Parameterized SQL conditions for `scope` (values go into `params` under `s_*` names). */
export function scopeConditions(scope: ReadScope, params: Record<string, unknown>, columns: ScopeColumns): string[] {
  const out: string[] = [];
  if (scope.tenant !== null) {
    params.s_tenant = scope.tenant;
    out.push(`${columns.tenant} = {s_tenant:String}`);
  }
  if (scope.payTo !== null) {
    if (!columns.payTo)
      throw new ApiException(ApiErrorCode.FORBIDDEN, 'this data is not available to a payTo-scoped principal');
    params.s_payTo = scope.payTo;
    out.push(`${columns.payTo} IN {s_payTo:Array(String)}`);
  }
  if (scope.payer !== null) {
    if (!columns.payer) throw new ApiException(ApiErrorCode.FORBIDDEN, 'this data is not available to a payer');
    params.s_payer = scope.payer;
    out.push(`${columns.payer} = {s_payer:String}`);
  }
  return out;
}
