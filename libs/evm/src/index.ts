export * from './dev-chain';
export * from './contracts';
export * from './exact';
export * from './networks';
