export * from './dev-chain';
export * from './contracts';
