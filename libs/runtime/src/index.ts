export * from './bootstrap';
export * from './chain-setup';
