import { logLevel, type logCreator } from 'kafkajs';
import type { EventLogLogger } from '../event-log.logger';

/**
 * Routes kafkajs's own log lines into the event log's logger instead of the console. kafkajs INFO lines (group
 * joins, connects) are chatty, so they go to debug; warnings and errors keep their level.
 */
export function kafkajsLogCreator(logger: EventLogLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const line = `kafkajs ${namespace}: ${message}`;
      if (level === logLevel.ERROR) logger.error(line, extra);
      else if (level === logLevel.WARN) logger.warn(line, extra);
      else logger.debug(line, extra);
    };
}
