import type { Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './TestSmartWallet.artifact.json';
import { testSmartWalletAbi } from './test-smart-wallet.abi';

/**
 * TestSmartWallet (contracts/TestSmartWallet.sol): a minimal ERC-1271 wallet owned by one EOA.
 * `isValidSignature(hash, sig)` returns 0x1626ba7e iff `sig` is the owner's 65-byte low-s ECDSA signature over `hash`
 * itself, so the owner's `signTypedData` over a message whose `from` is the wallet is accepted.
 * `execute(to, value, data)` (owner only) makes the wallet call anything. Constructor: `(address owner)`.
 */
export const TEST_SMART_WALLET_ABI = testSmartWalletAbi;

export const TEST_SMART_WALLET_ARTIFACT: ContractArtifact<typeof testSmartWalletAbi> = {
  contractName: artifactJson.contractName,
  abi: testSmartWalletAbi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};

export const TEST_SMART_WALLET_BYTECODE: Hex = TEST_SMART_WALLET_ARTIFACT.bytecode;
