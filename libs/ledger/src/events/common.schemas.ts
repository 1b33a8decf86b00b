import { z } from 'zod';

/** Atomic-unit integer as a decimal string, no leading zeros, at most 78 digits (fits uint256). */
export const amountSchema = z
  .string()
  .max(78)
  .regex(/^(0|[1-9][0-9]*)$/, 'must be a non-negative integer as a decimal string');

/** A strictly positive atomic amount. */
export const positiveAmountSchema = z
  .string()
  .max(78)
  .regex(/^[1-9][0-9]*$/, 'must be a positive integer as a decimal string');

/** An EVM address; producers checksum it (viem getAddress) at the edge, readers compare case-insensitively. */
export const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');

export const txHashSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex hash');

/** sha256 hex ids (payment, refund, dispute, session, event ids). */
export const hexIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex chars');

/** ISO-8601 UTC with milliseconds, e.g. `2026-01-02T03:04:05.678Z`. */
export { timestampSchema } from '../envelope/timestamp.schema';

/** CAIP-2 chain id, e.g. `eip155:8453`. */
export const networkSchema = z.string().regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/, 'must be a CAIP-2 network id');

/** EIP-3009 bytes32 nonce (hex) or Permit2 uint256 nonce (decimal string). */
export const authorizationNonceSchema = z
  .string()
  .regex(/^(0x[0-9a-fA-F]{64}|0|[1-9][0-9]{0,77})$/, 'must be a bytes32 hex or a uint256 decimal nonce');

export const shortTextSchema = z.string().min(1).max(200);
export const longTextSchema = z.string().min(1).max(4000);
export const urlSchema = z.string().min(1).max(4096);

/** Free-form evidence item (a URL, a tx hash, or text); the workflow decides the convention. */
export const evidenceSchema = z.array(longTextSchema).max(50);
