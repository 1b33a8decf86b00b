import { authorizationTypes } from '@x402/evm';
import {
  bytesToHex,
  checksumAddress,
  domainSeparator,
  hashTypedData,
  keccak256,
  type Address,
  type Hex,
  hexToBytes,
  stringToBytes,
} from 'viem';

/** keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)") */
const TRANSFER_WITH_AUTHORIZATION_TYPEHASH = hexToBytes(
  keccak256(
    stringToBytes(
      'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)',
    ),
  ),
);
const MAX_UINT256 = (1n << 256n) - 1n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export interface Eip3009DigestInput {
  name: unknown;
  version: unknown;
  chainId: number;
  verifyingContract: Address;
  from: string;
  to: string;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: string;
}

const domainCache = new Map<string, Uint8Array>();
const DOMAIN_CACHE_MAX = 1024;

function cachedDomainSeparator(name: string, version: string, chainId: number, verifyingContract: Address): Uint8Array {
  const key = `${chainId}|${verifyingContract}|${name}|${version}`;
  let hit = domainCache.get(key);
  if (!hit) {
    hit = hexToBytes(domainSeparator({ domain: { name, version, chainId, verifyingContract } }));
    if (domainCache.size >= DOMAIN_CACHE_MAX) domainCache.delete(domainCache.keys().next().value as string);
    domainCache.set(key, hit);
  }
  return hit;
}

/** viem's strict address rule (isAddress strict): all-lowercase hex, or a correct EIP-55 checksum. */
function isStrictAddress(value: string): boolean {
  if (!ADDRESS.test(value)) return false;
  return value.toLowerCase() === value || checksumAddress(value as Address) === value;
}

function writeUint(buf: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function writeHex(buf: Uint8Array, offset: number, hex: string): void {
  const bytes = hexToBytes(hex as Hex);
  buf.set(bytes, offset + 32 - bytes.length);
}

/**
 * How to obtain the digest for the probe: for regular inputs the token's EIP-712 domain separator (cached, immutable)
 * so the chain computes the digest itself; otherwise the digest computed here by viem, or null exactly where the
 * SDK's `hashTypedData` would throw (→ `invalid_exact_evm_signature`).
 */
export type Eip3009DigestPlan = { domainSeparator: Hex } | { digest: Hex | null };

export function eip3009DigestPlan(input: Eip3009DigestInput): Eip3009DigestPlan {
  const { name, version } = input;
  if (isRegular(input) && typeof name === 'string' && typeof version === 'string') {
    return {
      domainSeparator: bytesToHex(cachedDomainSeparator(name, version, input.chainId, input.verifyingContract)),
    };
  }
  return { digest: eip3009Digest(input) };
}

/** The digest from a domain separator and the authorization fields (what the probe runner computes on chain). */
export function eip3009DigestFromSeparator(
  domainSeparator: Hex,
  a: { from: string; to: string; value: bigint; validAfter: bigint; validBefore: bigint; nonce: string },
): Hex {
  const struct = new Uint8Array(224);
  struct.set(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, 0);
  writeHex(struct, 32, a.from);
  writeHex(struct, 64, a.to);
  writeUint(struct, 96, a.value);
  writeUint(struct, 128, a.validAfter);
  writeUint(struct, 160, a.validBefore);
  writeHex(struct, 192, a.nonce);
  const message = new Uint8Array(66);
  message[0] = 0x19;
  message[1] = 0x01;
  message.set(hexToBytes(domainSeparator), 2);
  message.set(keccak256(struct, 'bytes'), 34);
  return keccak256(message);
}

function isRegular(input: Eip3009DigestInput): boolean {
  return (
    isStrictAddress(input.from) &&
    isStrictAddress(input.to) &&
    BYTES32.test(input.nonce) &&
    [input.value, input.validAfter, input.validBefore].every((n) => n >= 0n && n <= MAX_UINT256)
  );
}

/**
 * The EIP-712 digest the SDK signs and checks for an EIP-3009 `TransferWithAuthorization`, or null exactly where the
 * SDK's `hashTypedData` would throw (a mis-checksummed address, a nonce that is not bytes32, a value outside uint256,
 * a non-string domain name/version) — the SDK turns that throw into `invalid_exact_evm_signature`.
 *
 * Fast path: the domain separator is cached (immutable per token) and the struct hash is two keccaks over a fixed
 * 224-byte buffer, ~10× cheaper than viem's generic `hashTypedData`; anything unusual falls back to viem itself.
 * `eip3009-digest.spec.ts` checks both paths against `hashTypedData` on random inputs.
 */
export function eip3009Digest(input: Eip3009DigestInput): Hex | null {
  const { name, version } = input;
  if (!isRegular(input) || typeof name !== 'string' || typeof version !== 'string') return slowDigest(input);
  const separator = bytesToHex(cachedDomainSeparator(name, version, input.chainId, input.verifyingContract));
  return eip3009DigestFromSeparator(separator, input);
}

function slowDigest(input: Eip3009DigestInput): Hex | null {
  try {
    return hashTypedData({
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      domain: {
        name: input.name as string,
        version: input.version as string,
        chainId: input.chainId,
        verifyingContract: input.verifyingContract,
      },
      message: {
        from: input.from as Address,
        to: input.to as Address,
        value: input.value,
        validAfter: input.validAfter,
        validBefore: input.validBefore,
        nonce: input.nonce as Hex,
      },
    });
  } catch {
    return null;
  }
}
