import { createHash } from 'node:crypto';

/**
 * The ledger's payment id of an x402 `exact` EVM payment: sha256 hex of `network|asset|payer|nonce` (asset, payer and
 * nonce lowercased; the EIP-3009 bytes32 nonce, or the Permit2 uint256 nonce as a decimal string). Undefined when the
 * payload is not an EVM exact payload.
 */
export function paymentIdOf(
  payload: { payload: Readonly<Record<string, unknown>> },
  requirements: { network: string; asset: string },
): string | undefined {
  const inner = payload.payload;
  const auth = (inner.authorization ?? inner.permit2Authorization) as
    { from?: unknown; nonce?: unknown } | undefined | null;
  if (!auth || typeof auth.from !== 'string' || (typeof auth.nonce !== 'string' && typeof auth.nonce !== 'number')) {
    return undefined;
  }
  const parts = [
    requirements.network,
    requirements.asset.toLowerCase(),
    auth.from.toLowerCase(),
    String(auth.nonce).toLowerCase(),
  ];
  if (parts.some((p) => p.length === 0) || parts.slice(0, -1).some((p) => p.includes('|'))) return undefined;
  return createHash('sha256').update(parts.join('|')).digest('hex');
}
