import { LmdbEventLog, type LmdbEventLogOptions } from './embedded/lmdb-event-log';
import { parseEventLogUrl } from './event-log-url';
import type { EventLogLogger } from './event-log.logger';
import type { EventLog } from './event-log.port';
import { KafkaEventLog, type KafkaEventLogOptions } from './kafka/kafka-event-log';

export interface CreateEventLogOptions {
  /** Used by both adapters unless overridden in `embedded` / `kafka`. */
  logger?: EventLogLogger;
  /** Base for relative `file:` paths (default process.cwd()). */
  cwd?: string;
  embedded?: LmdbEventLogOptions;
  kafka?: KafkaEventLogOptions;
}

/**
 * Opens the adapter the URL names (see parseEventLogUrl) and resolves once it is usable: the LMDB environment is
 * open, or the Kafka producer is connected and the topic exists.
 */
export async function createEventLog(url: string, options: CreateEventLogOptions = {}): Promise<EventLog> {
  const parsed = parseEventLogUrl(url, options.cwd);
  if (parsed.kind === 'embedded') {
    return LmdbEventLog.open(parsed.path, { logger: options.logger, ...options.embedded });
  }
  return KafkaEventLog.connect(parsed, { logger: options.logger, ...options.kafka });
}
