import { z } from 'zod';

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC, milliseconds), with real calendar dates (leap years included): what
 * `Date.prototype.toISOString()` prints. The same rule as zod's `datetime({ offset: false, precision: 3 })`, compiled
 * once (zod 3 rebuilds that regex on every parse, which made it the most expensive check of an envelope).
 */
export const ISO_TIMESTAMP_REGEX = new RegExp(
  '^((\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|(0[469]|11)-(0[1-9]|[12]\\d|30)|(02)-(0[1-9]|1\\d|2[0-8])))' +
    'T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d\\.\\d{3}Z$',
);

export const timestampSchema = z.string().regex(ISO_TIMESTAMP_REGEX, 'must be an ISO-8601 UTC timestamp with ms');
