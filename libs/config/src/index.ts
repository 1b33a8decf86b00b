export * from './config.exception';
export * from './env.schema';
export * from './load-config';
export * from './daemon.config';
