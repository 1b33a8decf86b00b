import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import type { EventLog, LogPosition } from '../event-log.port';
import { StreamOwnership, type OwnedStreamsFold } from './stream-ownership.port';

/**
 * Embedded mode (one process per log): the process owns every stream. `start` folds the whole log once; afterwards
 * the writers fold their own appends (as they always did), so `awaitFolded` has nothing to wait for.
 */
export class SingleProcessOwnership extends StreamOwnership {
  readonly fenced = false;
  private closed = false;

  constructor(private readonly log: EventLog) {
    super();
  }

  async start(fold: OwnedStreamsFold): Promise<void> {
    if (this.closed) throw new EventLogException(EventLogErrorCode.CLOSED, 'The stream ownership is closed');
    await this.log.replay(async (batch) => {
      await fold.fold(batch);
    });
  }

  owns(): boolean {
    return !this.closed;
  }

  async claim(): Promise<void> {
    if (this.closed) throw new EventLogException(EventLogErrorCode.CLOSED, 'The stream ownership is closed');
  }

  async awaitFolded(_position?: LogPosition): Promise<void> {}

  partitionOf(): number {
    return 0;
  }

  ownedPartitions(): number[] {
    return this.closed ? [] : [0];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
