import type { Abi, Hex } from 'viem';

/** A compiled contract as scripts/build-contracts.mjs writes it (`<Name>.artifact.json`, committed). */
export interface ContractArtifact<TAbi extends Abi = Abi> {
  contractName: string;
  abi: TAbi;
  /** Creation code (constructor arguments are appended ABI-encoded). */
  bytecode: Hex;
  /** Runtime code, as `eth_getCode` returns it after deployment. */
  deployedBytecode: Hex;
  /** Long solc version, e.g. `0.8.37+commit.f401782d`. */
  solcVersion: string;
  /** sha256 hex of the Solidity source the artifact was compiled from. */
  sourceSha256: string;
}
