import type { FacilitatorRequestV2, PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { permit2WitnessTypes } from '@x402/evm';
import { getAddress, toHex, type Address, type LocalAccount } from 'viem';
import { PERMIT2_ADDRESS } from '../../contracts/dev-permit2.contract';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS } from '../../contracts/dev-x402-exact-permit2-proxy.contract';

export interface SignPermit2Options {
  account: LocalAccount;
  requirements: PaymentRequirementsV2;
  chainId: number;
  nowSeconds?: number;
  /** Overrides of the SIGNED authorization fields (the payload carries what was signed). */
  authorization?: Partial<{
    from: Address;
    token: Address;
    amount: string;
    spender: Address;
    nonce: string;
    deadline: string;
    to: Address;
    validAfter: string;
  }>;
  /** Domain overrides (default: name "Permit2", chainId, verifyingContract PERMIT2). */
  domain?: Partial<{ name: string; chainId: number; verifyingContract: Address }>;
}

/**
 * Builds a /verify body with a Permit2 payload the way the official `@x402/evm` exact client signs it (random uint256
 * nonce, deadline now+timeout, witness {to: payTo, validAfter "0"}, spender x402ExactPermit2Proxy).
 */
export async function signPermit2Request(opts: SignPermit2Options): Promise<FacilitatorRequestV2> {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const r = opts.requirements;
  const o = opts.authorization ?? {};
  const permit2Authorization = {
    from: o.from ?? opts.account.address,
    permitted: { token: o.token ?? getAddress(r.asset), amount: o.amount ?? r.amount },
    spender: o.spender ?? X402_EXACT_PERMIT2_PROXY_ADDRESS,
    nonce: o.nonce ?? BigInt(toHex(crypto.getRandomValues(new Uint8Array(32)))).toString(),
    deadline: o.deadline ?? String(now + r.maxTimeoutSeconds),
    witness: { to: o.to ?? getAddress(r.payTo), validAfter: o.validAfter ?? '0' },
  };
  const signature = await opts.account.signTypedData({
    types: permit2WitnessTypes,
    primaryType: 'PermitWitnessTransferFrom',
    domain: { name: 'Permit2', chainId: opts.chainId, verifyingContract: PERMIT2_ADDRESS, ...opts.domain },
    message: {
      permitted: {
        token: getAddress(permit2Authorization.permitted.token),
        amount: BigInt(permit2Authorization.permitted.amount),
      },
      spender: getAddress(permit2Authorization.spender),
      nonce: BigInt(permit2Authorization.nonce),
      deadline: BigInt(permit2Authorization.deadline),
      witness: {
        to: getAddress(permit2Authorization.witness.to),
        validAfter: BigInt(permit2Authorization.witness.validAfter),
      },
    },
  });
  return {
    x402Version: 2,
    paymentPayload: {
      x402Version: 2,
      payload: { signature, permit2Authorization },
      resource: { url: 'http://127.0.0.1:4021/weather', description: 'Weather data', mimeType: 'application/json' },
      accepted: { ...r },
    },
    paymentRequirements: { ...r },
  };
}
