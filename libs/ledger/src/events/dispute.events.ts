import { z } from 'zod';

import { evidenceSchema, hexIdSchema, longTextSchema, shortTextSchema, timestampSchema } from './common.schemas';

/** Dispute events live on their payment's stream (streamId = paymentId). */
export const disputeOpenedV1 = z.strictObject({
  disputeId: hexIdSchema,
  paymentId: hexIdSchema,
  reason: z.enum(['not_received', 'not_as_described', 'duplicate', 'fraudulent', 'unauthorized', 'other']),
  evidence: evidenceSchema,
  respondBy: timestampSchema,
  openedBy: shortTextSchema,
});

export const disputeEvidenceSubmittedV1 = z.strictObject({
  disputeId: hexIdSchema,
  party: z.enum(['payer', 'provider']),
  evidence: evidenceSchema.min(1),
});

export const disputeUnderReviewV1 = z.strictObject({ disputeId: hexIdSchema });

/** `dispute.won`: the provider wins. `dispute.lost`: the payer wins and is paid back through one linked refund. */
export const disputeDecidedV1 = z.strictObject({
  disputeId: hexIdSchema,
  decidedBy: shortTextSchema,
  note: longTextSchema.nullable(),
});

export const disputeWithdrawnV1 = z.strictObject({ disputeId: hexIdSchema });

export type DisputeOpenedData = z.infer<typeof disputeOpenedV1>;
export type DisputeEvidenceSubmittedData = z.infer<typeof disputeEvidenceSubmittedV1>;
export type DisputeUnderReviewData = z.infer<typeof disputeUnderReviewV1>;
export type DisputeDecidedData = z.infer<typeof disputeDecidedV1>;
export type DisputeWithdrawnData = z.infer<typeof disputeWithdrawnV1>;
