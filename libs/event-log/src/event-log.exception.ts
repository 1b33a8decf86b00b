export enum EventLogErrorCode {
  /** EVENT_LOG_URL does not parse (bad scheme, host, port, path or query parameter). */
  INVALID_URL = 'INVALID_URL',
  /** An envelope handed to append() lacks what the log itself needs (id, streamId, type, sequence). */
  INVALID_ENVELOPE = 'INVALID_ENVELOPE',
  /** The log was closed (or is closing); no further appends, subscriptions or replays. */
  CLOSED = 'CLOSED',
  /** The append did not become durable; nothing may be assumed about it (retry with the same ids). */
  APPEND_FAILED = 'APPEND_FAILED',
  /** The log could not be opened / the broker could not be reached or the topic could not be created. */
  CONNECT_FAILED = 'CONNECT_FAILED',
  /** ping() failed: the store or the broker does not answer. */
  UNAVAILABLE = 'UNAVAILABLE',
  /** A stored record could not be decoded. */
  CORRUPT_RECORD = 'CORRUPT_RECORD',
  /** This process already runs a consumer for that group on that log (embedded: one consumer per group per process). */
  GROUP_BUSY = 'GROUP_BUSY',
  /** Subscribe/replay arguments are invalid (empty group, bad position, batch size out of range). */
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /**
   * Retryable: this process does not own the stream's partition (Kafka mode: another consumer-group member does, or
   * the group is rebalancing). `details` names the partition and, when known, the owner's advertised URL.
   */
  NOT_OWNER = 'NOT_OWNER',
  /** Retryable: this process owns the stream's partition but is still folding it up to where it got it. */
  NOT_READY = 'NOT_READY',
}

/** What a retryable ownership refusal tells the caller (for forwarding or a Retry-After). */
export interface OwnershipDetails {
  partition: number;
  /** The owner's advertised base URL, when this process could learn it. */
  ownerUrl?: string | null;
  /** Suggested wait before a retry. */
  retryAfterMs?: number;
}

/** The one exception class of the event-log module. `cause` keeps the adapter's original error. */
export class EventLogException extends Error {
  constructor(
    readonly code: EventLogErrorCode,
    message: string,
    options?: { cause?: unknown; details?: OwnershipDetails },
  ) {
    super(message, options);
    this.name = 'EventLogException';
    this.details = options?.details;
  }

  /** Set on NOT_OWNER / NOT_READY. */
  readonly details?: OwnershipDetails;

  /** True for the codes a caller should retry (possibly against another process). */
  get retryable(): boolean {
    return this.code === EventLogErrorCode.NOT_OWNER || this.code === EventLogErrorCode.NOT_READY;
  }
}
