import { permit2WitnessTypes } from '@x402/evm';
import {
  concatHex,
  encodeAbiParameters,
  getAddress,
  hashTypedData,
  keccak256,
  stringToHex,
  type Address,
  type Hex,
} from 'viem';
import { PERMIT2_ADDRESS } from '../../contracts/dev-permit2.contract';
import type { Permit2Payload } from './permit2.payload';

const MAX_UINT256 = (1n << 256n) - 1n;
const DOMAIN_TYPEHASH = keccak256(stringToHex('EIP712Domain(string name,uint256 chainId,address verifyingContract)'));
const NAME_HASH = keccak256(stringToHex('Permit2'));
const TOKEN_PERMISSIONS_TYPEHASH = keccak256(stringToHex('TokenPermissions(address token,uint256 amount)'));
const WITNESS_TYPEHASH = keccak256(stringToHex('Witness(address to,uint256 validAfter)'));
const PERMIT_WITNESS_TYPEHASH = keccak256(
  stringToHex(
    'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)' +
      'TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)',
  ),
);
const separators = new Map<number, Hex>();

/** Permit2's EIP-712 domain separator on `chainId` (name "Permit2", no version), cached per chain. */
export function permit2DomainSeparator(chainId: number): Hex {
  let hit = separators.get(chainId);
  if (!hit) {
    hit = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [DOMAIN_TYPEHASH, NAME_HASH, BigInt(chainId), PERMIT2_ADDRESS],
      ),
    );
    separators.set(chainId, hit);
  }
  return hit;
}

const W = (hex: string) => hex.slice(2).toLowerCase().padStart(64, '0');
const U = (n: bigint) => n.toString(16).padStart(64, '0');

/**
 * The EIP-712 digest of `PermitWitnessTransferFrom` with the x402 witness under the Permit2 domain — exactly what the
 * SDK's hashTypedData gives — or null where that would throw (a number outside uint256 or not an integer), which the
 * SDK turns into `invalid_permit2_signature`. Fast path: cached domain separator and type hashes, three keccaks over
 * fixed-size buffers (~10× cheaper than viem's generic hashTypedData); permit2-digest.spec.ts checks it against viem.
 */
export function permit2Digest(chainId: number, auth: Permit2Payload['permit2Authorization']): Hex | null {
  let amount: bigint, nonce: bigint, deadline: bigint, validAfter: bigint;
  try {
    amount = BigInt(auth.permitted.amount);
    nonce = BigInt(auth.nonce);
    deadline = BigInt(auth.deadline);
    validAfter = BigInt(auth.witness.validAfter);
  } catch {
    return null;
  }
  if (![amount, nonce, deadline, validAfter].every((n) => n >= 0n && n <= MAX_UINT256)) return null;
  const tokenPermissions = keccak256(`0x${W(TOKEN_PERMISSIONS_TYPEHASH)}${W(auth.permitted.token)}${U(amount)}`);
  const witness = keccak256(`0x${W(WITNESS_TYPEHASH)}${W(auth.witness.to)}${U(validAfter)}`);
  const struct = keccak256(
    `0x${W(PERMIT_WITNESS_TYPEHASH)}${W(tokenPermissions)}${W(auth.spender)}${U(nonce)}${U(deadline)}${W(witness)}`,
  );
  return keccak256(concatHex(['0x1901', permit2DomainSeparator(chainId), struct]));
}

/** The same digest through viem's generic hashTypedData (the SDK's way; the reference in tests). */
export function permit2DigestViem(chainId: number, auth: Permit2Payload['permit2Authorization']): Hex | null {
  try {
    return hashTypedData({
      types: permit2WitnessTypes,
      primaryType: 'PermitWitnessTransferFrom',
      domain: { name: 'Permit2', chainId, verifyingContract: PERMIT2_ADDRESS },
      message: {
        permitted: { token: getAddress(auth.permitted.token), amount: BigInt(auth.permitted.amount) },
        spender: getAddress(auth.spender),
        nonce: BigInt(auth.nonce),
        deadline: BigInt(auth.deadline),
        witness: { to: getAddress(auth.witness.to) as Address, validAfter: BigInt(auth.witness.validAfter) },
      },
    });
  } catch {
    return null;
  }
}
