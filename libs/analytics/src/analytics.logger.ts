import { Logger } from '@nestjs/common';

/** What the analytics module logs through. Default: NestJS's Logger (routed to pino by the apps). */
export interface AnalyticsLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export function nestAnalyticsLogger(context = 'Analytics'): AnalyticsLogger {
  const logger = new Logger(context);
  const fmt = (message: string, extra?: Record<string, unknown>) =>
    extra && Object.keys(extra).length > 0 ? `${message} ${JSON.stringify(extra, errorReplacer)}` : message;
  return {
    info: (m, c) => logger.log(fmt(m, c)),
    warn: (m, c) => logger.warn(fmt(m, c)),
    error: (m, c) => logger.error(fmt(m, c)),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export const SILENT_ANALYTICS_LOGGER: AnalyticsLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
