import type { Address, Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './DevPermit2.artifact.json';
import { devPermit2Abi } from './dev-permit2.abi';

/** The canonical Uniswap Permit2 address (the same on every public EVM chain). */
export const PERMIT2_ADDRESS: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3';

/**
 * DevPermit2 (contracts/DevPermit2.sol): Permit2's SignatureTransfer (`permitWitnessTransferFrom`, unordered nonces,
 * `DOMAIN_SEPARATOR`), ABI- and EIP-712-compatible with the canonical contract; installed by the dev chain at
 * PERMIT2_ADDRESS (runtime code only: no constructor, no immutables).
 */
export const DEV_PERMIT2_ABI = devPermit2Abi;

export const DEV_PERMIT2_ARTIFACT: ContractArtifact<typeof devPermit2Abi> = {
  contractName: artifactJson.contractName,
  abi: devPermit2Abi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};
