export * from './event-log.port';
export * from './event-log.exception';
export * from './event-log-url';
export * from './event-log.logger';
export * from './envelope-codec';
export * from './create-event-log';
export * from './event-log.module';
export { LmdbEventLog, type LmdbEventLogOptions } from './embedded/lmdb-event-log';
export type { KafkaEventLogOptions } from './kafka/kafka-event-log';
