export {
  startDevChain,
  DEV_CHAIN_ID,
  DEV_CHAIN_NETWORK,
  DEV_CHAIN_DEFAULT_RPC_PORT,
  DEV_CHAIN_FUNDING,
  DEV_TOKEN_ADDRESS,
} from './dev-chain';
export type {
  DevChain,
  DevChainOptions,
  DevPermit2Setup,
  DevToken,
  DevPublicClient,
  DevWalletClient,
} from './dev-chain';
export { DEV_MNEMONIC, DEV_ACCOUNT_LAYOUT, deriveDevAccount, devAccounts } from './dev-accounts';
export type { DevAccount, DevAccountRole, DevAccounts } from './dev-accounts';
export { DevChainException, DevChainErrorCode } from './dev-chain.exception';
export type { Eip1193Provider } from './eip1193-provider';
export { serveJsonRpc } from './json-rpc.server';
export type { JsonRpcServer, JsonRpcServerOptions } from './json-rpc.server';
export { withRevertReasonCodes, EXECUTION_REVERTED_CODE } from './revert-reason.provider';
