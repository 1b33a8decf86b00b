import type { EventLog } from '../event-log.port';
import { KafkaEventLog } from '../kafka/kafka-event-log';
import type { KafkaStreamOwnershipOptions } from '../kafka/kafka-stream-ownership';
import { SingleProcessOwnership } from './single-process-ownership';
import type { StreamOwnership } from './stream-ownership.port';

export type StreamOwnershipOptions = KafkaStreamOwnershipOptions;

/**
 * The StreamOwnership matching the log: a Kafka log → the writers' consumer group (KafkaEventLog.streamOwnership,
 * closed with the log); any other log (embedded) → this process owns everything. Not started: the state store
 * that folds the owned streams calls `start(fold)`.
 */
export function createStreamOwnership(log: EventLog, options: StreamOwnershipOptions = {}): StreamOwnership {
  if (log instanceof KafkaEventLog) return log.streamOwnership(options);
  return new SingleProcessOwnership(log);
}
