/** One EIP-191 signature check of a SIWx message by an address on an EVM network. */
export interface SignatureCheck {
  /** CAIP-2 network, e.g. `eip155:8453` (smart wallets are checked on this chain). */
  network: string;
  address: `0x${string}`;
  message: string;
  signature: `0x${string}`;
}

/**
 * Verifies wallet signatures: EOA (ecrecover), deployed smart wallets (ERC-1271) and counterfactual ones (ERC-6492).
 * A port because contract wallets need the chain.
 */
export abstract class SignatureVerifier {
  abstract verify(check: SignatureCheck): Promise<boolean>;
}
