import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@x402/core/http';
import { ProtocolErrorCode, ProtocolException } from '../protocol.exception';

/**
 * HTTP header codecs of the x402 V2 transport, straight from `@x402/core/http` (standard base64 with padding of the
 * UTF-8 JSON; base64url is rejected, like the SDK does).
 */
export {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
};

export const PAYMENT_SIGNATURE_HEADER = 'PAYMENT-SIGNATURE';
export const PAYMENT_REQUIRED_HEADER = 'PAYMENT-REQUIRED';
export const PAYMENT_RESPONSE_HEADER = 'PAYMENT-RESPONSE';
export const V1_PAYMENT_HEADER = 'X-PAYMENT';
export const V1_PAYMENT_RESPONSE_HEADER = 'X-PAYMENT-RESPONSE';

/** Decodes a base64 JSON header into a plain object, or throws ProtocolException(INVALID_HEADER). */
export function decodeJsonHeader(name: string, value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed =
      name.toUpperCase() === PAYMENT_RESPONSE_HEADER
        ? decodePaymentResponseHeader(value)
        : decodePaymentSignatureHeader(value);
  } catch (error) {
    throw new ProtocolException(
      ProtocolErrorCode.INVALID_HEADER,
      `${name}: not base64 JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProtocolException(ProtocolErrorCode.INVALID_HEADER, `${name}: not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
