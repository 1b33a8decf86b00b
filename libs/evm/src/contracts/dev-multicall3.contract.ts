import type { Address, Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './DevMulticall3.artifact.json';
import { devMulticall3Abi } from './dev-multicall3.abi';

/** The canonical Multicall3 address (the same on every public EVM chain). */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

/**
 * DevMulticall3 (contracts/DevMulticall3.sol): `tryAggregate`, `aggregate3` and a few getters, installed by the dev
 * chain at MULTICALL3_ADDRESS (runtime code only; it has no constructor and no storage), so the x402 SDK's
 * facilitator diagnostics and viem's `multicall` work against the dev chain as they do on public chains.
 */
export const DEV_MULTICALL3_ABI = devMulticall3Abi;

export const DEV_MULTICALL3_ARTIFACT: ContractArtifact<typeof devMulticall3Abi> = {
  contractName: artifactJson.contractName,
  abi: devMulticall3Abi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};

export const DEV_MULTICALL3_DEPLOYED_BYTECODE: Hex = DEV_MULTICALL3_ARTIFACT.deployedBytecode;
