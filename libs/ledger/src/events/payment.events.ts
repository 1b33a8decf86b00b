import { z } from 'zod';

import {
  addressSchema,
  amountSchema,
  authorizationNonceSchema,
  hexIdSchema,
  longTextSchema,
  networkSchema,
  shortTextSchema,
  timestampSchema,
  txHashSchema,
  urlSchema,
} from './common.schemas';

/**
 * Fields every payment.* event carries. `resourceUrl` is null when the payment payload names no resource
 * (PaymentPayload.resource is optional in x402 V2). The tenant lives in the envelope.
 */
const paymentCommon = {
  paymentId: hexIdSchema,
  scheme: shortTextSchema,
  network: networkSchema,
  asset: addressSchema,
  amount: amountSchema,
  payer: addressSchema,
  payTo: addressSchema,
  resourceUrl: urlSchema.nullable(),
};

export const paymentVerifiedV1 = z.strictObject({
  ...paymentCommon,
  nonce: authorizationNonceSchema,
  /** Unix seconds as decimal strings (EIP-3009 validAfter/validBefore; Permit2 witness.validAfter/deadline). */
  validAfter: amountSchema,
  validBefore: amountSchema,
  x402Version: z.number().int().positive(),
  assetTransferMethod: z.enum(['eip3009', 'permit2']),
  signatureKind: z.enum(['eoa', 'erc1271', 'erc6492']),
});

/**
 * A verification that failed. `paymentId` (and `payer`) are null when the payload was too broken to derive them; the
 * event then lives on the stream `rawPayloadStreamId(raw)`.
 */
export const paymentVerificationFailedV1 = z.strictObject({
  ...paymentCommon,
  paymentId: hexIdSchema.nullable(),
  payer: addressSchema.nullable(),
  /** The SDK reason code verbatim, e.g. `invalid_exact_evm_signature`. */
  reason: shortTextSchema,
  message: longTextSchema.nullable(),
});

export const paymentSettlementSubmittedV1 = z.strictObject({
  ...paymentCommon,
  txHash: txHashSchema,
  signer: addressSchema,
  submittedAt: timestampSchema,
});

export const paymentSettledV1 = z.strictObject({
  ...paymentCommon,
  txHash: txHashSchema,
  blockNumber: amountSchema,
  blockTimestamp: timestampSchema,
  logIndex: z.number().int().nonnegative(),
  gasUsed: amountSchema,
  /** Wei per gas actually paid. */
  effectiveGasPrice: amountSchema,
  signer: addressSchema,
});

export const paymentSettlementFailedV1 = z.strictObject({
  ...paymentCommon,
  reason: shortTextSchema,
  message: longTextSchema.nullable(),
  txHash: txHashSchema.nullable(),
});

export type PaymentVerifiedData = z.infer<typeof paymentVerifiedV1>;
export type PaymentVerificationFailedData = z.infer<typeof paymentVerificationFailedV1>;
export type PaymentSettlementSubmittedData = z.infer<typeof paymentSettlementSubmittedV1>;
export type PaymentSettledData = z.infer<typeof paymentSettledV1>;
export type PaymentSettlementFailedData = z.infer<typeof paymentSettlementFailedV1>;
