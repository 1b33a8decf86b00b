import { EventLogErrorCode, EventLogException } from './event-log.exception';

export const DEFAULT_MAX_BATCH_SIZE = 1000;
const LIMIT = 100_000;

/** Validates SubscribeOptions.maxBatchSize (1..100 000, default 1000). */
export function checkBatchSize(size: number | undefined): number {
  const n = size ?? DEFAULT_MAX_BATCH_SIZE;
  if (!Number.isSafeInteger(n) || n < 1 || n > LIMIT) {
    throw new EventLogException(EventLogErrorCode.INVALID_ARGUMENT, `maxBatchSize must be 1..${LIMIT}, got ${size}`);
  }
  return n;
}
