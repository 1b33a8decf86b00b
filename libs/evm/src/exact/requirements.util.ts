import { getAddress, type Address } from 'viem';
import { ExactEvmErrorCode, ExactEvmException } from './exact-evm.exception';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** An address field of the payment requirements, checksummed; INVALID_REQUIREMENTS when it is not one. */
export function requirementAddress(value: string, field: string): Address {
  if (!ADDRESS.test(value)) {
    throw new ExactEvmException(
      ExactEvmErrorCode.INVALID_REQUIREMENTS,
      `${field}: must be a 0x-prefixed 20-byte hex address`,
    );
  }
  return getAddress(value);
}

/** An atomic amount in canonical decimal form (as given when it is not an integer). */
export function canonicalAmount(text: string): string {
  try {
    return BigInt(text).toString();
  } catch {
    return text;
  }
}
