import { z } from 'zod';

import { shortTextSchema, timestampSchema, urlSchema } from './common.schemas';

/** The latest bazaar listing of a resource; stream `discoveryStreamId(resourceUrl)`, streamType `discovery`. */
export const discoveryResourceUpdatedV1 = z.strictObject({
  resourceUrl: urlSchema,
  /** Bazaar resource type, e.g. `http`. */
  type: shortTextSchema,
  /** PaymentRequirements entries as the resource server advertises them (x402 wire objects, kept verbatim). */
  accepts: z.array(z.record(z.unknown())).max(50),
  metadata: z.record(z.unknown()),
  lastUpdated: timestampSchema,
});

export type DiscoveryResourceUpdatedData = z.infer<typeof discoveryResourceUpdatedV1>;
