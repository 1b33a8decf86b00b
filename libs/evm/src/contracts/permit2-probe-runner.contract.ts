import type { Address, Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './Permit2ProbeRunner.artifact.json';
import { permit2ProbeRunnerAbi } from './permit2-probe-runner.abi';

/** Where an eth_call state override places the runner's code (nothing is deployed; recognizable in traces). */
export const PERMIT2_PROBE_RUNNER_ADDRESS: Address = '0x00000000000000000000000000000000be2a0001';

/**
 * Permit2ProbeRunner (contracts/Permit2ProbeRunner.sol): answers the chain questions of many Permit2 verifications in
 * one eth_call (each check isolated in a reverting self-call). Used by ViemEvmChain.probePermit2, never deployed.
 */
export const PERMIT2_PROBE_RUNNER_ABI = permit2ProbeRunnerAbi;

export const PERMIT2_PROBE_RUNNER_ARTIFACT: ContractArtifact<typeof permit2ProbeRunnerAbi> = {
  contractName: artifactJson.contractName,
  abi: permit2ProbeRunnerAbi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};
