import type { FacilitatorRequestV2, PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { authorizationTypes } from '@x402/evm';
import { getAddress, toHex, type Address, type Hex, type LocalAccount } from 'viem';

export interface SignOptions {
  account: LocalAccount;
  requirements: PaymentRequirementsV2;
  chainId: number;
  nowSeconds?: number;
  /** Overrides of the signed authorization fields. */
  authorization?: Partial<{
    from: Address;
    to: Address;
    value: string;
    validAfter: string;
    validBefore: string;
    nonce: Hex;
  }>;
  /** Domain overrides (default: requirements.extra name/version). */
  domain?: Partial<{ name: string; version: string; chainId: number; verifyingContract: Address }>;
}

/** Builds a /verify body the way the official `@x402/evm` exact client signs it (validAfter "0", validBefore now+timeout). */
export async function signEip3009Request(opts: SignOptions): Promise<FacilitatorRequestV2> {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const r = opts.requirements;
  const authorization = {
    from: opts.account.address,
    to: getAddress(r.payTo),
    value: r.amount,
    validAfter: '0',
    validBefore: String(now + r.maxTimeoutSeconds),
    nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
    ...opts.authorization,
  };
  const signature = await opts.account.signTypedData({
    types: authorizationTypes,
    primaryType: 'TransferWithAuthorization',
    domain: {
      name: String(r.extra?.name),
      version: String(r.extra?.version),
      chainId: opts.chainId,
      verifyingContract: getAddress(r.asset),
      ...opts.domain,
    },
    message: {
      from: authorization.from,
      to: authorization.to,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
      nonce: authorization.nonce,
    },
  });
  return {
    x402Version: 2,
    paymentPayload: {
      x402Version: 2,
      payload: { authorization, signature },
      resource: { url: 'http://127.0.0.1:4021/weather', description: 'Weather data', mimeType: 'application/json' },
      accepted: { ...r },
    },
    paymentRequirements: { ...r },
  };
}
