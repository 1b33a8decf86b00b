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
}

/** The one exception class of the event-log module. `cause` keeps the adapter's original error. */
export class EventLogException extends Error {
  constructor(
    readonly code: EventLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventLogException';
  }
}
