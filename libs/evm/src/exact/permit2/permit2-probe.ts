import type { Address, Hex } from 'viem';

/** One Permit2 verification's chain questions (answered in one eth_call + one eth_getCode, see ViemEvmChain). */
export interface Permit2ProbeCheck {
  token: Address;
  owner: Address;
  proxy: Address;
  permit2: Address;
  amount: bigint;
  nonce: bigint;
  /** The EIP-712 digest the owner signed (zero when it could not be computed). */
  digest: Hex;
  /** The signature as sent (for ERC-1271), `0x` when it is not hex. */
  signature: Hex;
  /** ecrecover input when the signature is 65 bytes, else null (no ECDSA recovery asked). */
  ecdsa: { v: number; r: Hex; s: Hex } | null;
  /** `proxy.settle(permit, owner, witness, signature)` calldata, or null when no simulation is wanted. */
  settleCalldata: Hex | null;
}

/** A sub-call's outcome. */
export interface Permit2ProbeCall {
  success: boolean;
  data: Hex;
}

/** The chain's answers for one check. */
export interface Permit2ProbeResult {
  ownerHasCode: boolean;
  tokenHasCode: boolean;
  /**
   * The diagnostic reads below are only guaranteed when the simulation did not succeed (a successful simulation needs
   * no diagnosis; probes may skip them then).
   * `proxy.PERMIT2()`: fails / returns nothing when the proxy is not deployed.
   */
  proxyPermit2: Permit2ProbeCall;
  balanceOf: Permit2ProbeCall;
  /** `token.allowance(owner, PERMIT2)`. */
  allowance: Permit2ProbeCall;
  /** `permit2.nonceBitmap(owner, nonce >> 8)`. */
  nonceBitmap: Permit2ProbeCall;
  /** The ecrecover precompile's answer (32-byte padded address; empty when recovery failed or was not asked). */
  ecrecover: Permit2ProbeCall;
  /** `owner.isValidSignature(digest, signature)`. */
  erc1271: Permit2ProbeCall;
  /** The simulated `proxy.settle(...)`; never a success when the proxy has no code. */
  simulation: Permit2ProbeCall;
}
