import {
  NetworkSchemaV2,
  PaymentPayloadV1Schema,
  PaymentPayloadV2Schema,
  PaymentRequirementsV1Schema,
  PaymentRequirementsV2Schema,
  ResourceInfoSchema,
} from '@x402/core/schemas';
import type {
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
  SupportedKind,
  SupportedResponse,
  VerifyResponse,
} from '@x402/core/types';
import type { PaymentPayloadV1, PaymentRequirementsV1 } from '@x402/core/types/v1';
import { z } from 'zod';

/**
 * The x402 wire format is owned by `@x402/core`: its zod schemas are re-exported here unchanged, so what we accept is
 * exactly what the SDK accepts. The facilitator response schemas are not exported by the SDK (they live inside
 * `HTTPFacilitatorClient`), so they are mirrored below field for field; `wire.schemas.spec.ts` proves that every
 * response we build parses under them, which is what makes `@x402/express` accept our answers.
 */
export {
  NetworkSchemaV2,
  PaymentPayloadV1Schema,
  PaymentPayloadV2Schema,
  PaymentRequirementsV1Schema,
  PaymentRequirementsV2Schema,
  ResourceInfoSchema,
};
export type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
  SettleResponse,
  SupportedKind,
  SupportedResponse,
  VerifyResponse,
};

export type PaymentPayloadV2 = z.output<typeof PaymentPayloadV2Schema>;
export type PaymentRequirementsV2 = z.output<typeof PaymentRequirementsV2Schema>;
export type ParsedPaymentPayloadV1 = z.output<typeof PaymentPayloadV1Schema>;
export type ParsedPaymentRequirementsV1 = z.output<typeof PaymentRequirementsV1Schema>;

const nullishString = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const nullishRecord = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((v) => v ?? undefined);

/** Mirror of `verifyResponseSchema` in `@x402/core` `src/http/httpFacilitatorClient.ts`. */
export const VerifyResponseSchema = z.object({
  isValid: z.boolean(),
  invalidReason: nullishString,
  invalidMessage: nullishString,
  payer: nullishString,
  extensions: nullishRecord,
  extra: nullishRecord,
});

/** Mirror of `settleResponseSchema`: `transaction` and `network` are required even on failure. */
export const SettleResponseSchema = z.object({
  success: z.boolean(),
  errorReason: nullishString,
  errorMessage: nullishString,
  payer: nullishString,
  transaction: z.string(),
  network: z.custom<string>((value) => typeof value === 'string'),
  amount: nullishString,
  extensions: nullishRecord,
  extra: nullishRecord,
});

/** Mirror of `supportedResponseSchema`. */
export const SupportedResponseSchema = z.object({
  kinds: z.array(
    z.object({
      x402Version: z.number(),
      scheme: z.string(),
      network: z.custom<string>((value) => typeof value === 'string'),
      extra: nullishRecord,
    }),
  ),
  extensions: z.array(z.string()).default([]),
  signers: z.record(z.string(), z.array(z.string())).default({}),
});

/** Body of POST /verify and POST /settle as `HTTPFacilitatorClient` sends it (both endpoints share it). */
export const FacilitatorRequestEnvelopeSchema = z.object({
  x402Version: z.number().int().optional(),
  paymentPayload: z.record(z.string(), z.unknown()),
  paymentRequirements: z.record(z.string(), z.unknown()),
});

export type FacilitatorRequestV2 = {
  x402Version: 2;
  paymentPayload: PaymentPayloadV2;
  paymentRequirements: PaymentRequirementsV2;
};
export type FacilitatorRequestV1 = {
  x402Version: 1;
  paymentPayload: ParsedPaymentPayloadV1;
  paymentRequirements: ParsedPaymentRequirementsV1;
};
/** A /verify or /settle body validated against the SDK schemas of its version. */
export type FacilitatorRequest = FacilitatorRequestV2 | FacilitatorRequestV1;
