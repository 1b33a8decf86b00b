import { z } from 'zod';

import {
  addressSchema,
  amountSchema,
  hexIdSchema,
  longTextSchema,
  networkSchema,
  shortTextSchema,
  timestampSchema,
  urlSchema,
} from './common.schemas';

/** Session events live on the stream `sessionId` (streamType `session`). */
export const sessionIssuedV1 = z.strictObject({
  sessionId: hexIdSchema,
  paymentId: hexIdSchema,
  wallet: addressSchema,
  network: networkSchema,
  asset: addressSchema,
  policyId: shortTextSchema,
  policyVersion: z.number().int().positive(),
  scope: z.strictObject({
    methods: z.array(z.string().regex(/^[A-Z]{1,16}$/)).max(16),
    routes: z.array(z.string().min(1).max(1000)).max(100),
  }),
  expiresAt: timestampSchema,
  /** null = no call limit. */
  maxCalls: z.number().int().positive().nullable(),
  /** Atomic units of `asset`; null = no spend limit. */
  budget: amountSchema.nullable(),
});

/** A usage batch: `calls` requests and `spend` atomic units seen in [windowStart, windowEnd]. */
export const sessionUsedV1 = z.strictObject({
  sessionId: hexIdSchema,
  calls: z.number().int().positive(),
  spend: amountSchema,
  windowStart: timestampSchema,
  windowEnd: timestampSchema,
});

export const sessionRevokedV1 = z.strictObject({
  sessionId: hexIdSchema,
  reason: longTextSchema,
  revokedBy: shortTextSchema,
});

export const sessionExpiredV1 = z.strictObject({ sessionId: hexIdSchema });

/** A SIWx (CAIP-122) challenge nonce handed out in a 402; stream `nonceStreamId(nonce)`. */
export const sessionNonceIssuedV1 = z.strictObject({
  nonce: z.string().regex(/^[0-9a-zA-Z]{8,128}$/),
  domain: shortTextSchema,
  uri: urlSchema,
  expiresAt: timestampSchema,
});

/** The nonce was spent by a signed SIWx proof (at most once). */
export const sessionNonceConsumedV1 = z.strictObject({
  nonce: z.string().regex(/^[0-9a-zA-Z]{8,128}$/),
  wallet: addressSchema,
  sessionId: hexIdSchema.nullable(),
});

export type SessionIssuedData = z.infer<typeof sessionIssuedV1>;
export type SessionUsedData = z.infer<typeof sessionUsedV1>;
export type SessionRevokedData = z.infer<typeof sessionRevokedV1>;
export type SessionExpiredData = z.infer<typeof sessionExpiredV1>;
export type SessionNonceIssuedData = z.infer<typeof sessionNonceIssuedV1>;
export type SessionNonceConsumedData = z.infer<typeof sessionNonceConsumedV1>;
