import { timestampSchema } from '../events/common.schemas';
import { latestEventSchemas, type EventDataMap, type EventType } from '../events/ledger-events';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import type { EventDraft } from '../stream/event-factory';

/** Validates a command's payload against the contract of the event it would record. */
export function commandData<T extends EventType>(type: T, data: unknown): EventDataMap[T] {
  const result = latestEventSchemas[type].safeParse(data);
  if (!result.success) {
    const detail = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new LedgerException(LedgerErrorCode.INVALID_COMMAND, `invalid ${type} data: ${detail}`);
  }
  return result.data as EventDataMap[T];
}

export function checkOccurredAt(occurredAt: string | undefined): string | undefined {
  if (occurredAt !== undefined && !timestampSchema.safeParse(occurredAt).success) {
    throw new LedgerException(LedgerErrorCode.INVALID_COMMAND, `occurredAt must be an ISO timestamp with ms and Z`);
  }
  return occurredAt;
}

export function draftOf<T extends EventType>(
  type: T,
  data: EventDataMap[T],
  occurredAt: string | undefined,
): EventDraft {
  const draft = { type, data } as { type: T; data: EventDataMap[T]; occurredAt?: string };
  if (occurredAt !== undefined) draft.occurredAt = occurredAt;
  return draft as unknown as EventDraft;
}

export function invalidTransition(message: string): LedgerException {
  return new LedgerException(LedgerErrorCode.INVALID_TRANSITION, message);
}
