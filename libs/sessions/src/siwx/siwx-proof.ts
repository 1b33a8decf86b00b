import { parseSIWxHeader, type SIWxPayload } from '@x402/extensions/sign-in-with-x';
import { siwxRejected } from '../sessions.exception';
import { buildSiweMessage, isRfc3339DateTime } from './siwe-message';

export type SiwxProof = SIWxPayload;

const MAX_HEADER_LENGTH = 16 * 1024;

/** Decodes a SIGN-IN-WITH-X header value with the official parser (base64 → JSON → the official zod schema). */
export function decodeSiwxHeader(header: string): SiwxProof {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) {
    throw siwxRejected('invalid_siwx_payload', 'SIGN-IN-WITH-X header missing or too long');
  }
  try {
    return parseSIWxHeader(header);
  } catch (error) {
    throw siwxRejected('invalid_siwx_payload', (error as Error).message);
  }
}

/** The numeric EIP-155 chain id of a proof (`eip155:<n>`); other namespaces are not supported for sessions. */
export function evmChainIdOf(proof: SiwxProof): number {
  if (!proof.chainId.startsWith('eip155:')) {
    throw siwxRejected(
      'invalid_siwx_unsupported_chain',
      `unsupported chain ${proof.chainId}: sessions are bought with EVM payments (eip155:*)`,
    );
  }
  const m = /^eip155:([1-9][0-9]{0,15})$/.exec(proof.chainId);
  if (!m) throw siwxRejected('invalid_siwx_chain_id', `invalid EVM chain id ${proof.chainId}`);
  if (proof.type !== 'eip191') throw siwxRejected('invalid_siwx_chain_id', `EVM proofs use type eip191`);
  return Number(m[1]);
}

/** The EIP-4361 text the wallet signed, rebuilt from the proof's fields. */
export function siweMessageOf(proof: SiwxProof): string {
  return buildSiweMessage({
    domain: proof.domain,
    address: proof.address,
    statement: proof.statement,
    uri: proof.uri,
    version: proof.version,
    chainId: evmChainIdOf(proof),
    nonce: proof.nonce,
    issuedAt: proof.issuedAt,
    expirationTime: proof.expirationTime,
    notBefore: proof.notBefore,
    requestId: proof.requestId,
    resources: proof.resources,
  });
}

export interface SiwxBinding {
  /** The origin the nonce was issued for (`https://api.example.com`). */
  origin: string;
  /** Maximum age of issuedAt (ms). */
  maxAgeMs: number;
  /** Allowed clock skew between the resource server that built the challenge and this service (ms). */
  skewMs: number;
  now: number;
}

/**
 * The message checks of the official validator (domain, URI origin, issuedAt age and future, expirationTime,
 * notBefore) against the origin the nonce was issued for, with the official reason codes. The nonce itself and the
 * signature are checked by the caller.
 */
export function checkSiwxMessage(proof: SiwxProof, binding: SiwxBinding): void {
  const origin = new URL(binding.origin);
  if (proof.domain !== origin.host) {
    throw siwxRejected(
      'invalid_siwx_domain_mismatch',
      `domain mismatch: expected "${origin.host}", got "${proof.domain}"`,
    );
  }
  let uri: URL;
  try {
    uri = new URL(proof.uri);
  } catch {
    throw siwxRejected('invalid_siwx_uri_mismatch', `invalid URI "${proof.uri}"`);
  }
  if (uri.origin !== origin.origin) {
    throw siwxRejected('invalid_siwx_uri_mismatch', `URI origin "${uri.origin}" is not "${origin.origin}"`);
  }
  if (!isRfc3339DateTime(proof.issuedAt)) throw siwxRejected('invalid_siwx_issued_at', 'invalid issuedAt');
  const age = binding.now - Date.parse(proof.issuedAt);
  if (age > binding.maxAgeMs + binding.skewMs) {
    throw siwxRejected('invalid_siwx_issued_at_too_old', `message is ${Math.round(age / 1000)} s old`);
  }
  if (age < -binding.skewMs) throw siwxRejected('invalid_siwx_issued_at_in_future', 'issuedAt is in the future');
  if (proof.expirationTime !== undefined) {
    if (!isRfc3339DateTime(proof.expirationTime)) {
      throw siwxRejected('invalid_siwx_expiration_time', 'invalid expirationTime');
    }
    if (Date.parse(proof.expirationTime) <= binding.now) throw siwxRejected('invalid_siwx_expired', 'message expired');
  }
  if (proof.notBefore !== undefined) {
    if (!isRfc3339DateTime(proof.notBefore)) throw siwxRejected('invalid_siwx_not_before', 'invalid notBefore');
    if (Date.parse(proof.notBefore) > binding.now) {
      throw siwxRejected('invalid_siwx_not_yet_valid', 'message not yet valid (notBefore is in the future)');
    }
  }
}
