import type { Address, Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './TestToken.artifact.json';
import { testTokenAbi } from './test-token.abi';

/** Where the dev chain installs TestToken (runtime code only, no constructor). */
export const DEV_TEST_TOKEN_ADDRESS: Address = '0x7e57000000000000000000000000000000000018';

/**
 * TestToken (contracts/TestToken.sol): an ordinary ERC-20 without EIP-3009 ("Test Token", "TT", 18 decimals), paid
 * through Permit2. Its storage layout is fixed so the dev chain can seed it: slot 0 `balanceOf`, slot 1 `allowance`,
 * slot 2 `totalSupply`.
 */
export const TEST_TOKEN_ABI = testTokenAbi;

export const TEST_TOKEN_ARTIFACT: ContractArtifact<typeof testTokenAbi> = {
  contractName: artifactJson.contractName,
  abi: testTokenAbi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};

export const TEST_TOKEN_METADATA = { name: 'Test Token', symbol: 'TT', decimals: 18 } as const;

/** Storage slots of TestToken's mappings / variables (see the contract). */
export const TEST_TOKEN_SLOTS = { balanceOf: 0n, allowance: 1n, totalSupply: 2n } as const;
