import { z } from 'zod';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex chars');
const amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'atomic amount as a decimal string');
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'ISO-8601 UTC with ms');
const resource = z.strictObject({
  method: z.string().regex(/^[A-Za-z]{1,16}$/),
  url: z.string().min(1).max(4096),
});
const siwx = z
  .string()
  .min(1)
  .max(16 * 1024);

export const issueNoncesBody = z.strictObject({
  origin: z.string().min(1).max(2048),
  count: z.number().int().min(1).max(100).default(1),
});

export const createSessionBody = z.strictObject({
  siwx: siwx.optional(),
  paymentId: hex64,
  policyId: z.string().min(1).max(64).optional(),
  resource,
});

export const exchangeSiwxBody = z.strictObject({ siwx, resource });

export const reportUsageBody = z.strictObject({
  reports: z
    .array(
      z.strictObject({
        sessionId: hex64,
        calls: z.number().int().positive().max(1_000_000_000),
        spend: amount,
        windowStart: timestamp,
        windowEnd: timestamp,
      }),
    )
    .min(1)
    .max(1000),
  batchId: z.string().min(1).max(100).optional(),
});

export const reserveBody = z.strictObject({
  calls: z.number().int().positive().max(1_000_000),
  spend: amount,
});

export const revokeBody = z.strictObject({ reason: z.string().min(1).max(4000) });
export const revokeWalletBody = z.strictObject({
  wallet: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  reason: z.string().min(1).max(4000),
});

export const siwxPaidQuery = z.object({
  resource: z.string().min(1).max(2048),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
});
export const siwxPaidBody = z.strictObject({
  resource: z.string().min(1).max(2048),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
});

/** Parses a request part; throws INVALID_REQUEST naming the problems. */
export function parseRequest<T extends z.ZodTypeAny>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const detail = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  throw new SessionsException(SessionsErrorCode.INVALID_REQUEST, detail);
}
