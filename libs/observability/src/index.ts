export * from './readiness-check';
export * from './metrics.service';
export * from './observability.module';
export * from './loopback';
