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
export {
  DEV_TEST_TOKEN_ADDRESS,
  TEST_TOKEN_ABI,
  TEST_TOKEN_ARTIFACT,
  TEST_TOKEN_METADATA,
  TEST_TOKEN_SLOTS,
} from './test-token.contract';
export { DEV_PERMIT2_ABI, DEV_PERMIT2_ARTIFACT, PERMIT2_ADDRESS } from './dev-permit2.contract';
export {
  DEV_X402_EXACT_PERMIT2_PROXY_ABI,
  DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
} from './dev-x402-exact-permit2-proxy.contract';
export {
  PERMIT2_PROBE_RUNNER_ABI,
  PERMIT2_PROBE_RUNNER_ADDRESS,
  PERMIT2_PROBE_RUNNER_ARTIFACT,
} from './permit2-probe-runner.contract';
