export * from './dev-chain-network';
export * from './load-networks';
export * from './network.config';
export * from './networks.exception';
export * from './networks.schema';
export * from './signer-key';
export * from './asset-decimals';
