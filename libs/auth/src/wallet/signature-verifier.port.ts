import { verifyMessage, type Hex } from 'viem';

/**
 * Checks that `address` signed `message` (EIP-191 personal_sign). The default verifies EOA signatures offline; bind an
 * implementation backed by a chain client (viem publicClient.verifyMessage) to also accept ERC-1271 / ERC-6492 wallets.
 */
export abstract class SignatureVerifier {
  abstract verify(input: {
    address: `0x${string}`;
    message: string;
    signature: Hex;
    chainId: number;
  }): Promise<boolean>;
}

export class EoaSignatureVerifier extends SignatureVerifier {
  async verify(input: { address: `0x${string}`; message: string; signature: Hex }): Promise<boolean> {
    try {
      return await verifyMessage({ address: input.address, message: input.message, signature: input.signature });
    } catch {
      return false;
    }
  }
}
