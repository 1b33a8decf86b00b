import { Logger } from '@nestjs/common';

/**
 * What the adapters log through. The default is NestJS's Logger (context "EventLog"), which the apps route to pino;
 * tests and benchmarks pass their own (or SILENT_EVENT_LOG_LOGGER).
 */
export interface EventLogLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export function nestEventLogLogger(context = 'EventLog'): EventLogLogger {
  const logger = new Logger(context);
  const fmt = (message: string, extra?: Record<string, unknown>) =>
    extra && Object.keys(extra).length > 0 ? `${message} ${JSON.stringify(extra, errorReplacer)}` : message;
  return {
    debug: (m, c) => logger.debug(fmt(m, c)),
    info: (m, c) => logger.log(fmt(m, c)),
    warn: (m, c) => logger.warn(fmt(m, c)),
    error: (m, c) => logger.error(fmt(m, c)),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export const SILENT_EVENT_LOG_LOGGER: EventLogLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
