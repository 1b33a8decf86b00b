import { Eip3009Verifier, transferCalldata, type AssetConfig, type Eip3009Facts } from '@x402-ledger/evm';
import type { FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { authorizationTypes } from '@x402/evm';
import { getAddress, type Hex } from 'viem';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';
import type { RefundNetwork } from './refund-networks.port';

/** A provider-signed EIP-3009 `TransferWithAuthorization` from its payTo wallet back to the payer. */
export interface RefundAuthorization {
  from: string;
  to: string;
  /** Atomic units, decimal string. */
  value: string;
  validAfter: string;
  validBefore: string;
  /** bytes32 hex. */
  nonce: string;
  /** 65-byte ECDSA signature (or an ERC-1271 wallet's signature bytes). */
  signature: string;
}

/** What the refund must be for the authorization to fit it. */
export interface RefundAuthorizationExpectation {
  refundId: string;
  network: string;
  asset: string;
  payTo: string;
  payer: string;
  amount: string;
}

const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * The EIP-712 typed data the provider's payTo wallet signs to authorize a refund (viem `signTypedData` input). The
 * CLI and the GraphQL client build it with this helper; the facilitator submits the authorization, paying the gas.
 */
export function refundAuthorizationTypedData(input: {
  chainId: number;
  asset: AssetConfig;
  from: string;
  to: string;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
}) {
  return {
    types: authorizationTypes,
    primaryType: 'TransferWithAuthorization' as const,
    domain: {
      name: input.asset.name,
      version: input.asset.version,
      chainId: input.chainId,
      verifyingContract: getAddress(input.asset.address),
    },
    message: {
      from: getAddress(input.from),
      to: getAddress(input.to),
      value: input.value,
      validAfter: input.validAfter,
      validBefore: input.validBefore,
      nonce: input.nonce,
    },
  };
}

/**
 * Checks a refund authorization against the refund, then against the chain with the facilitator's own EIP-3009
 * verifier (signature — EOA or ERC-1271 —, time window, token domain, balance, and a simulation of the transfer):
 * from = the payment's payTo, to = the payer, value = the refund amount. Returns the facts to submit.
 */
export class RefundAuthorizationVerifier {
  private readonly verifier = new Eip3009Verifier({ allowedFactories: [], validBeforeSkewSeconds: 0, simulate: true });

  constructor(private readonly maxValiditySeconds: number) {}

  async verify(
    network: RefundNetwork,
    expected: RefundAuthorizationExpectation,
    authorization: RefundAuthorization,
    nowSeconds: number,
  ): Promise<Eip3009Facts> {
    const a = authorization;
    const shapeProblems = [
      typeof a.from === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a.from) ? null : 'from',
      typeof a.to === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a.to) ? null : 'to',
      typeof a.value === 'string' && DECIMAL.test(a.value) ? null : 'value',
      typeof a.validAfter === 'string' && DECIMAL.test(a.validAfter) ? null : 'validAfter',
      typeof a.validBefore === 'string' && DECIMAL.test(a.validBefore) ? null : 'validBefore',
      typeof a.nonce === 'string' && /^0x[0-9a-fA-F]{64}$/.test(a.nonce) ? null : 'nonce',
      typeof a.signature === 'string' && HEX.test(a.signature) && a.signature.length <= 20_000 ? null : 'signature',
    ].filter((p): p is string => p !== null);
    if (shapeProblems.length > 0) {
      throw reject(`malformed authorization field(s): ${shapeProblems.join(', ')}`);
    }
    if (a.from.toLowerCase() !== expected.payTo.toLowerCase()) {
      throw reject(`authorization.from must be the payment's payTo ${getAddress(expected.payTo)}`);
    }
    if (a.to.toLowerCase() !== expected.payer.toLowerCase()) {
      throw reject(`authorization.to must be the payer ${getAddress(expected.payer)}`);
    }
    if (a.value !== expected.amount) {
      throw reject(`authorization.value ${a.value} differs from the refund amount ${expected.amount}`);
    }
    const asset = network.assets.find((x) => x.address.toLowerCase() === expected.asset.toLowerCase());
    if (!asset) {
      throw new RefundsException(
        RefundsErrorCode.NETWORK_NOT_CONFIGURED,
        `asset ${expected.asset} is not configured on ${network.network}`,
      );
    }
    const requirements = {
      scheme: 'exact',
      network: expected.network as `${string}:${string}`,
      asset: getAddress(asset.address),
      amount: expected.amount,
      payTo: getAddress(expected.payer),
      maxTimeoutSeconds: this.maxValiditySeconds,
      extra: { name: asset.name, version: asset.version },
    };
    const request = {
      x402Version: 2,
      paymentPayload: {
        x402Version: 2,
        payload: {
          authorization: {
            from: a.from,
            to: a.to,
            value: a.value,
            validAfter: a.validAfter,
            validBefore: a.validBefore,
            nonce: a.nonce,
          },
          signature: a.signature,
        },
        resource: { url: `urn:x402:refund:${expected.refundId}`, description: 'refund', mimeType: 'application/json' },
        accepted: requirements,
      },
      paymentRequirements: requirements,
    } as FacilitatorRequestV2;
    const outcome = await this.verifier.verify(request, network.chain, nowSeconds);
    if (!outcome.isValid) {
      throw reject(`authorization refused: ${outcome.reason}${outcome.message ? ` (${outcome.message})` : ''}`);
    }
    if (outcome.facts.deployment !== null) throw reject('counterfactual (ERC-6492) payTo wallets cannot sign refunds');
    return outcome.facts;
  }
}

/** Call data of `transferWithAuthorization` for verified facts (the SDK's encoding: v,r,s or bytes overload). */
export function refundAuthorizationCalldata(facts: Eip3009Facts): Hex {
  return transferCalldata(facts);
}

function reject(message: string): RefundsException {
  return new RefundsException(RefundsErrorCode.AUTHORIZATION_REJECTED, message);
}
