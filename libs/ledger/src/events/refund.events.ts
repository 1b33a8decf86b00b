import { z } from 'zod';

import {
  amountSchema,
  hexIdSchema,
  longTextSchema,
  positiveAmountSchema,
  shortTextSchema,
  txHashSchema,
} from './common.schemas';

/** Refund events live on their payment's stream (streamId = paymentId). */
export const refundRequestedV1 = z.strictObject({
  refundId: hexIdSchema,
  paymentId: hexIdSchema,
  amount: positiveAmountSchema,
  reason: longTextSchema,
  requestedBy: z.enum(['provider', 'payer', 'arbiter']),
  idempotencyKey: shortTextSchema,
  /** Set when this refund is the payout of a lost dispute (added within v1, optional). */
  disputeId: hexIdSchema.optional(),
});

export const refundApprovedV1 = z.strictObject({
  refundId: hexIdSchema,
  approvedBy: shortTextSchema,
});

export const refundSubmittedV1 = z.strictObject({
  refundId: hexIdSchema,
  txHash: txHashSchema,
  method: z.enum(['authorization', 'hot_wallet']),
});

export const refundSucceededV1 = z.strictObject({
  refundId: hexIdSchema,
  txHash: txHashSchema,
  blockNumber: amountSchema,
  amount: positiveAmountSchema,
});

export const refundFailedV1 = z.strictObject({
  refundId: hexIdSchema,
  reason: longTextSchema,
  txHash: txHashSchema.nullable(),
});

export const refundCanceledV1 = z.strictObject({
  refundId: hexIdSchema,
  reason: longTextSchema,
});

export type RefundRequestedData = z.infer<typeof refundRequestedV1>;
export type RefundApprovedData = z.infer<typeof refundApprovedV1>;
export type RefundSubmittedData = z.infer<typeof refundSubmittedV1>;
export type RefundSucceededData = z.infer<typeof refundSucceededV1>;
export type RefundFailedData = z.infer<typeof refundFailedV1>;
export type RefundCanceledData = z.infer<typeof refundCanceledV1>;
