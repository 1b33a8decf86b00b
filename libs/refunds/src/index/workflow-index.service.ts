import { Injectable, Logger } from '@nestjs/common';
import { EventLogTail } from '@x402-ledger/auth';
import { EventLog } from '@x402-ledger/event-log';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import { WorkflowIndex } from './workflow-index';

/**
 * Keeps the WorkflowIndex current: reads the whole log once at start (`start`), then follows it with a tail (polling
 * `replay` from the last position). After this module appends, `catchUp()` reads its own facts at once, so a caller
 * sees what it just did in listings.
 */
@Injectable()
export class WorkflowIndexService {
  private readonly logger = new Logger(WorkflowIndexService.name);
  readonly index = new WorkflowIndex();
  private readonly tail: EventLogTail;

  constructor(log: EventLog) {
    this.tail = new EventLogTail(log, {
      pollIntervalMs: 250,
      onError: (error) => this.logger.warn(`workflow index tail failed: ${String(error)}`),
    });
    this.tail.addListener((batch) => this.index.apply(batch));
  }

  get ready(): boolean {
    return this.tail.ready;
  }

  /** Reads the log to its end; resolves once the index reflects every fact that was on the log. */
  start(): Promise<void> {
    return this.tail.start();
  }

  catchUp(): Promise<void> {
    return this.tail.catchUp();
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }

  /** The index, once the history has been read (NOT_READY before). */
  current(): WorkflowIndex {
    if (!this.tail.ready) throw new RefundsException(RefundsErrorCode.NOT_READY, 'the workflow index is still loading');
    return this.index;
  }
}
