import { z } from 'zod';
import { ExactEvmErrorCode, ExactEvmException } from '../exact-evm.exception';

/**
 * `paymentPayload.payload` of the EVM `exact` scheme with EIP-3009 (`@x402/evm` ExactEIP3009Payload). Deliberately
 * loose: every string the SDK would still turn into a verdict (`invalid_exact_evm_signature` for a mis-checksummed
 * address or a short nonce) passes here, so the verdict is the SDK's. What is rejected here makes the SDK throw
 * (→ HTTP 500 in its example server); we answer 400 instead.
 */
export const Eip3009PayloadSchema = z.object({
  signature: z.string({ required_error: 'required (hex string)' }),
  authorization: z.object({
    from: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address'),
    to: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address'),
    value: z.string(),
    validAfter: z.string(),
    validBefore: z.string(),
    nonce: z.string(),
  }),
});
export type Eip3009Payload = z.infer<typeof Eip3009PayloadSchema>;

/** True when the payload is a Permit2 one (`permit2Authorization`), the SDK's own routing rule. */
export function isPermit2Payload(payload: Record<string, unknown>): boolean {
  return 'permit2Authorization' in payload;
}

export function parseEip3009Payload(payload: Record<string, unknown>): Eip3009Payload {
  const parsed = Eip3009PayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ExactEvmException(
      ExactEvmErrorCode.INVALID_PAYLOAD,
      `paymentPayload.payload.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** `BigInt(text)` as the SDK does it (accepts "0x1f", " 12 ", ""), but as a typed INVALID_* exception. */
export function sdkBigInt(text: string, field: string, code = ExactEvmErrorCode.INVALID_PAYLOAD): bigint {
  try {
    return BigInt(text);
  } catch {
    throw new ExactEvmException(code, `${field}: ${JSON.stringify(text)} is not an integer`);
  }
}
