import {
  createSIWxPayload,
  encodeSIWxHeader,
  formatSIWEMessage,
  type SIWxPayload,
} from '@x402/extensions/sign-in-with-x';
import type { LocalAccount } from 'viem';

export interface ChallengeFields {
  domain: string;
  uri: string;
  nonce: string;
  issuedAt: string;
  chainId: string;
  expirationTime?: string;
  notBefore?: string;
  statement?: string;
}

/** Signs a SIWx challenge exactly as the official client does and returns the SIGN-IN-WITH-X header value. */
export async function siwxHeader(
  account: LocalAccount,
  fields: ChallengeFields,
  requestUrl = fields.uri,
): Promise<{ header: string; payload: SIWxPayload }> {
  const payload = await createSIWxPayload(
    {
      domain: fields.domain,
      uri: fields.uri,
      version: '1',
      nonce: fields.nonce,
      issuedAt: fields.issuedAt,
      resources: [fields.uri],
      expirationTime: fields.expirationTime,
      notBefore: fields.notBefore,
      statement: fields.statement,
      chainId: fields.chainId,
      type: 'eip191',
    },
    account,
    requestUrl,
  );
  return { header: encodeSIWxHeader(payload), payload };
}

/** Re-encodes a payload (tampering tests). */
export function encodeProof(payload: SIWxPayload): string {
  return encodeSIWxHeader(payload);
}

/**
 * Signs arbitrary challenge fields WITHOUT the official client's origin binding check (what an attacker or a
 * broken client could send): the EIP-4361 text is built by the official formatter.
 */
export async function rawSiwxHeader(account: LocalAccount, fields: ChallengeFields): Promise<string> {
  const payload: SIWxPayload = {
    domain: fields.domain,
    address: account.address,
    statement: fields.statement,
    uri: fields.uri,
    version: '1',
    chainId: fields.chainId,
    type: 'eip191',
    nonce: fields.nonce,
    issuedAt: fields.issuedAt,
    expirationTime: fields.expirationTime,
    notBefore: fields.notBefore,
    resources: [fields.uri],
    signature: '0x',
  };
  const message = formatSIWEMessage({ ...payload, chainId: fields.chainId, type: 'eip191' }, account.address);
  payload.signature = await account.signMessage({ message });
  return encodeSIWxHeader(payload);
}
