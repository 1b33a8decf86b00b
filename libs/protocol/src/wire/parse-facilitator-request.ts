import {
  PaymentPayloadV1Schema,
  PaymentPayloadV2Schema,
  PaymentRequirementsV1Schema,
  PaymentRequirementsV2Schema,
} from '@x402/core/schemas';
import type { z } from 'zod';
import { ProtocolErrorCode, ProtocolException } from '../protocol.exception';
import { FacilitatorRequestEnvelopeSchema, type FacilitatorRequest } from './wire.schemas';

const MAX_ISSUES = 5;

/** Renders zod issues as `path: message; …` — the "clear message" of a 400 answer. */
export function describeZodError(error: z.ZodError, prefix = ''): string {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(body)'}: ${issue.message}`;
  });
  const more = error.issues.length > MAX_ISSUES ? ` (+${error.issues.length - MAX_ISSUES} more)` : '';
  return issues.join('; ') + more;
}

/**
 * Validates a /verify or /settle body with the SDK's own schemas for the payload's version (the facilitator
 * dispatches on `paymentPayload.x402Version`, like `x402Facilitator`). Throws ProtocolException otherwise.
 */
export function parseFacilitatorRequest(body: unknown): FacilitatorRequest {
  const envelope = FacilitatorRequestEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new ProtocolException(ProtocolErrorCode.INVALID_REQUEST, describeZodError(envelope.error));
  }
  const { paymentPayload, paymentRequirements } = envelope.data;
  const version = paymentPayload.x402Version;
  if (version === 2) {
    const payload = PaymentPayloadV2Schema.safeParse(paymentPayload);
    if (!payload.success) {
      throw new ProtocolException(ProtocolErrorCode.INVALID_REQUEST, describeZodError(payload.error, 'paymentPayload'));
    }
    const requirements = PaymentRequirementsV2Schema.safeParse(paymentRequirements);
    if (!requirements.success) {
      throw new ProtocolException(
        ProtocolErrorCode.INVALID_REQUEST,
        describeZodError(requirements.error, 'paymentRequirements'),
      );
    }
    return { x402Version: 2, paymentPayload: payload.data, paymentRequirements: requirements.data };
  }
  if (version === 1) {
    const payload = PaymentPayloadV1Schema.safeParse(paymentPayload);
    if (!payload.success) {
      throw new ProtocolException(ProtocolErrorCode.INVALID_REQUEST, describeZodError(payload.error, 'paymentPayload'));
    }
    const requirements = PaymentRequirementsV1Schema.safeParse(paymentRequirements);
    if (!requirements.success) {
      throw new ProtocolException(
        ProtocolErrorCode.INVALID_REQUEST,
        describeZodError(requirements.error, 'paymentRequirements'),
      );
    }
    return { x402Version: 1, paymentPayload: payload.data, paymentRequirements: requirements.data };
  }
  throw new ProtocolException(
    ProtocolErrorCode.UNSUPPORTED_VERSION,
    `paymentPayload.x402Version: expected 1 or 2, got ${JSON.stringify(version ?? null)}`,
  );
}
