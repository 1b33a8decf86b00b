import { z } from 'zod';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const filters = {
  type: z.string().min(1).max(20).optional(),
  payTo: z.string().min(1).max(200).optional(),
  scheme: z.string().min(1).max(50).optional(),
  network: z.string().min(1).max(100).optional(),
  /** Comma-separated extension keys that must all be present on the item. */
  extensions: z.string().min(1).max(200).optional(),
};

export const listQuerySchema = z.strictObject({
  ...filters,
  limit: int('limit', 1, 100).default('20'),
  offset: int('offset', 0, 1_000_000).default('0'),
});

export const searchQuerySchema = z.strictObject({
  query: z.string().trim().min(1, 'query is required').max(500),
  ...filters,
  limit: int('limit', 1, 100).default('20'),
  cursor: z.string().min(1).max(200).optional(),
});

export const registerBodySchema = z.strictObject({ url: z.string().min(1).max(2048) });

export type ListQuery = z.output<typeof listQuerySchema>;
export type SearchQuery = z.output<typeof searchQuerySchema>;
export type ResourceFilters = Pick<ListQuery, 'type' | 'payTo' | 'scheme' | 'network' | 'extensions'>;

/** Parses query params or a body; a bad one is INVALID_REQUEST (400) naming the field. */
export function parseRequest<T extends z.ZodTypeAny>(schema: T, raw: unknown): z.output<T> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const message = result.error.issues
      .map((i) =>
        i.code === 'unrecognized_keys'
          ? `unknown parameter(s): ${i.keys.join(', ')}`
          : `${i.path.join('.') || 'request'}: ${i.code === 'invalid_type' && i.expected === 'string' ? 'must be given once, as a string' : i.message}`,
      )
      .join('; ');
    throw new DiscoveryException(DiscoveryErrorCode.INVALID_REQUEST, message);
  }
  return result.data;
}
