import type { Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './TestUSDC.artifact.json';
import { testUsdcAbi } from './test-usdc.abi';

/**
 * TestUSDC (contracts/TestUSDC.sol): the project's own EIP-3009 USD coin for the dev chain and tests. ERC-20 with
 * USDC's observable surface (name, symbol, decimals, EIP-712 domain version "2", FiatTokenV2 revert strings),
 * both `transferWithAuthorization` / `receiveWithAuthorization` overloads, `cancelAuthorization`, ERC-1271 signers,
 * and an owner-only `mint`. The constructor takes no arguments; the deployer becomes the owner.
 */
export const TEST_USDC_ABI = testUsdcAbi;

export const TEST_USDC_ARTIFACT: ContractArtifact<typeof testUsdcAbi> = {
  contractName: artifactJson.contractName,
  abi: testUsdcAbi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};

export const TEST_USDC_BYTECODE: Hex = TEST_USDC_ARTIFACT.bytecode;
export const TEST_USDC_DEPLOYED_BYTECODE: Hex = TEST_USDC_ARTIFACT.deployedBytecode;

/** What the token reports on chain; `version` is the EIP-712 domain version (`extra.version` in x402 requirements). */
export const TEST_USDC_METADATA = { name: 'USD Coin', symbol: 'USDC', decimals: 6, version: '2' } as const;
