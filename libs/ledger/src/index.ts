export * from './envelope/event-envelope';
