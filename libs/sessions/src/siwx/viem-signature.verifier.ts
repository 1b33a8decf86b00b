import { verifyMessage, type PublicClient } from 'viem';
import { SignatureVerifier, type SignatureCheck } from './signature-verifier.port';

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * viem-backed verification. With a public client for the network, `publicClient.verifyMessage` covers EOA,
 * ERC-1271 and ERC-6492 (universal validator via eth_call, ecrecover fallback); RPC failures propagate (they are not
 * "invalid signature"). Without a client only EOA signatures verify (local ecrecover): a smart wallet on an
 * unconfigured network is refused, never guessed.
 */
export class ViemSignatureVerifier extends SignatureVerifier {
  constructor(private readonly clients: ReadonlyMap<string, Pick<PublicClient, 'verifyMessage'>> = new Map()) {
    super();
  }

  async verify(check: SignatureCheck): Promise<boolean> {
    if (!HEX_BYTES.test(check.signature)) return false;
    const args = { address: check.address, message: check.message, signature: check.signature };
    const client = this.clients.get(check.network);
    if (client) return client.verifyMessage(args);
    try {
      return await verifyMessage(args);
    } catch {
      // local ecrecover only fails on a malformed signature: that is a failed verification
      return false;
    }
  }
}
