import { networkMatchesPattern } from '@x402/core/utils';

/** A CAIP-2 chain id, `namespace:reference` (e.g. `eip155:8453`). */
export type Caip2 = `${string}:${string}`;

const CAIP2 = /^([-a-z0-9]{3,8}):([-_a-zA-Z0-9]{1,64})$/;
const EIP155 = /^eip155:(\d+)$/;

export interface ParsedCaip2 {
  namespace: string;
  reference: string;
}

/** Parses a concrete CAIP-2 id; returns null for wildcards (`eip155:*`) and anything malformed. */
export function parseCaip2(network: string): ParsedCaip2 | null {
  const m = CAIP2.exec(network);
  return m ? { namespace: m[1], reference: m[2] } : null;
}

export function isCaip2(network: string): network is Caip2 {
  return CAIP2.test(network);
}

/** `eip155:<chainId>` → chainId, or null when the id is not a concrete eip155 network (same rule as @x402/evm). */
export function eip155ChainId(network: string): number | null {
  const m = EIP155.exec(network);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function eip155Network(chainId: number): Caip2 {
  return `eip155:${chainId}`;
}

/** The CAIP family pattern of a network (`eip155:8453` → `eip155:*`), as used in `/supported.signers`. */
export function caipFamily(network: string): Caip2 {
  return `${network.split(':')[0]}:*`;
}

/** True when `network` matches `pattern` (exact id or `namespace:*`), with the SDK's own matcher. */
export function matchesNetworkPattern(pattern: string, network: string): boolean {
  return networkMatchesPattern(pattern as Caip2, network as Caip2);
}
