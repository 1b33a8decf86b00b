import { z } from 'zod';
import { ExactEvmErrorCode, ExactEvmException } from '../exact-evm.exception';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');

/**
 * `paymentPayload.payload` of the EVM `exact` scheme with Permit2 (`@x402/evm` ExactPermit2Payload). Loose like the
 * EIP-3009 schema: numbers stay strings (the SDK `BigInt()`s them), addresses must be 20-byte hex (the SDK's
 * `getAddress` throws otherwise, i.e. an HTTP 500 there; a 400 here).
 */
export const Permit2PayloadSchema = z.object({
  signature: z.string({ required_error: 'required (hex string)' }),
  permit2Authorization: z.object({
    from: address,
    permitted: z.object({ token: address, amount: z.string() }),
    spender: address,
    nonce: z.string(),
    deadline: z.string(),
    witness: z.object({ to: address, validAfter: z.string() }),
  }),
});
export type Permit2Payload = z.infer<typeof Permit2PayloadSchema>;

export function parsePermit2Payload(payload: Record<string, unknown>): Permit2Payload {
  const parsed = Permit2PayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ExactEvmException(
      ExactEvmErrorCode.INVALID_PAYLOAD,
      `paymentPayload.payload.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * The Permit2 nonce as the canonical decimal string of its uint256 value (what the payment id and events use), or
 * null when the text is not an integer in uint256 range (then the payload cannot name a payment).
 */
export function canonicalPermit2Nonce(text: unknown): string | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  try {
    const n = BigInt(text);
    return n >= 0n && n <= MAX_UINT256 ? n.toString() : null;
  } catch {
    return null;
  }
}
