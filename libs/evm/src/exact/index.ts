export * from './chain/evm-chain.port';
export * from './chain/viem-evm-chain';
export * from './chain/viem-evm-chains';
export * from './eip3009/eip3009-digest';
export * from './eip3009/eip3009.payload';
export * from './eip3009/eip3009.verifier';
export * from './exact-evm.exception';
export * from './probe/eip3009-probe.codec';
export * from './probe/probe-batcher';
export * from './settle/eip3009.settler';
export * from './settle/signed-tx.store';
export * from './settle/signer-pool';
// Test doubles for the exact scheme (used by the facilitator's unit tests and the integration/e2e suites).
export * from './testing/fake-evm-chain';
export * from './testing/sign-eip3009';
