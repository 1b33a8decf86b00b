import type { Address, Hex } from 'viem';
import type { ContractArtifact } from './contract-artifact';
import artifactJson from './DevX402ExactPermit2Proxy.artifact.json';
import { devX402ExactPermit2ProxyAbi } from './dev-x402-exact-permit2-proxy.abi';

/** The canonical x402ExactPermit2Proxy address (the Permit2 `spender` of every x402 exact payload). */
export const X402_EXACT_PERMIT2_PROXY_ADDRESS: Address = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001';

/**
 * DevX402ExactPermit2Proxy (contracts/DevX402ExactPermit2Proxy.sol): `settle` / `settleWithPermit` as @x402/evm 2.27
 * calls them; installed by the dev chain at X402_EXACT_PERMIT2_PROXY_ADDRESS (runtime code only).
 */
export const DEV_X402_EXACT_PERMIT2_PROXY_ABI = devX402ExactPermit2ProxyAbi;

export const DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT: ContractArtifact<typeof devX402ExactPermit2ProxyAbi> = {
  contractName: artifactJson.contractName,
  abi: devX402ExactPermit2ProxyAbi,
  bytecode: artifactJson.bytecode as Hex,
  deployedBytecode: artifactJson.deployedBytecode as Hex,
  solcVersion: artifactJson.solcVersion,
  sourceSha256: artifactJson.sourceSha256,
};
