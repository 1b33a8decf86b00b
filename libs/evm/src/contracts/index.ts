export type { ContractArtifact } from './contract-artifact';
export {
  TEST_USDC_ABI,
  TEST_USDC_ARTIFACT,
  TEST_USDC_BYTECODE,
  TEST_USDC_DEPLOYED_BYTECODE,
  TEST_USDC_METADATA,
} from './test-usdc.contract';
export {
  TEST_SMART_WALLET_ABI,
  TEST_SMART_WALLET_ARTIFACT,
  TEST_SMART_WALLET_BYTECODE,
} from './test-smart-wallet.contract';
export {
  DEV_MULTICALL3_ABI,
  DEV_MULTICALL3_ARTIFACT,
  DEV_MULTICALL3_DEPLOYED_BYTECODE,
  MULTICALL3_ADDRESS,
} from './dev-multicall3.contract';
