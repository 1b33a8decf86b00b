import { EvmReason, GenericReason, type FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { x402ExactPermit2ProxyABI } from '@x402/evm';
import {
  decodeErrorResult,
  decodeFunctionResult,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  isAddressEqual,
  type Address,
  type Hex,
} from 'viem';
import { PERMIT2_ADDRESS } from '../../contracts/dev-permit2.contract';
import { devPermit2Abi } from '../../contracts/dev-permit2.abi';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS } from '../../contracts/dev-x402-exact-permit2-proxy.contract';
import type { EvmChain } from '../chain/evm-chain.port';
import { sdkBigInt } from '../eip3009/eip3009.payload';
import { ExactEvmErrorCode } from '../exact-evm.exception';
import { canonicalAmount, requirementAddress } from '../requirements.util';
import { permit2Digest } from './permit2-digest';
import type { Permit2ProbeCall, Permit2ProbeCheck, Permit2ProbeResult } from './permit2-probe';
import { canonicalPermit2Nonce, parsePermit2Payload, type Permit2Payload } from './permit2.payload';

/** The SDK's Permit2 reason codes (`@x402/evm` 2.27 exact/facilitator errors), verbatim. */
export const Permit2Reason = {
  UnsupportedPayloadType: 'unsupported_payload_type',
  InvalidSpender: 'invalid_permit2_spender',
  RecipientMismatch: 'invalid_permit2_recipient_mismatch',
  DeadlineExpired: 'permit2_deadline_expired',
  NotYetValid: 'permit2_not_yet_valid',
  AmountMismatch: 'permit2_amount_mismatch',
  TokenMismatch: 'permit2_token_mismatch',
  InvalidSignature: 'invalid_permit2_signature',
  AllowanceRequired: 'permit2_allowance_required',
  SimulationFailed: 'permit2_simulation_failed',
  InsufficientBalance: 'permit2_insufficient_balance',
  ProxyNotDeployed: 'permit2_proxy_not_deployed',
  InvalidAmount: 'permit2_invalid_amount',
  InvalidDestination: 'permit2_invalid_destination',
  InvalidOwner: 'permit2_invalid_owner',
  PaymentTooEarly: 'permit2_payment_too_early',
  InvalidNonce: 'permit2_invalid_nonce',
} as const;

const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const EVEN_HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ERC1271_MAGIC = '0x1626ba7e';
/** The SDK's block-time buffer: the deadline must be at least 6 s ahead. */
const DEADLINE_BUFFER_SECONDS = 6n;

export type Permit2SignatureKind = 'eoa' | 'erc1271';

/** What a Permit2 verification learned: enough for the payment id, the events and the settlement. */
export interface Permit2Facts {
  assetTransferMethod: 'permit2';
  /** `permit2Authorization.from` exactly as sent (the SDK echoes it as `payer`). */
  payerRaw: string;
  from: Address;
  /** witness.to: where the tokens go. */
  to: Address;
  /** permitted.amount. */
  value: bigint;
  /** witness.validAfter. */
  validAfter: bigint;
  /** deadline (the authorization's upper time bound, like EIP-3009 validBefore). */
  validBefore: bigint;
  /** The Permit2 uint256 nonce as a canonical decimal string, or null when it is not one. */
  nonce: string | null;
  asset: Address;
  payTo: Address;
  /** requirements.amount as a canonical decimal string. */
  amount: string;
  network: string;
  signatureKind: Permit2SignatureKind;
  /** The x402ExactPermit2Proxy the settlement calls, and its `settle(...)` calldata. */
  proxy: Address;
  settleCalldata: Hex;
}

export type Permit2VerifyOutcome =
  | { isValid: true; payer: string; facts: Permit2Facts }
  | { isValid: false; reason: string; message?: string; payer: string; facts: Permit2Facts };

export interface Permit2VerifyOptions {
  /** Extra seconds beyond `maxTimeoutSeconds` a deadline may reach (buyer clock skew). */
  validBeforeSkewSeconds: number;
  /** Whether to simulate `proxy.settle` (always true for /verify; /settle keeps it, see ADR 0005). */
  simulate: boolean;
}

/** True when the facts are a Permit2 verification's (else they are EIP-3009's). */
export function isPermit2Facts(facts: object): facts is Permit2Facts {
  return (facts as Partial<Permit2Facts>).assetTransferMethod === 'permit2';
}

/**
 * Permit2 verification for the EVM `exact` scheme: the SDK's verifyPermit2 checks in the SDK's order and with its
 * reason codes, plus the stricter checks of the EIP-3009 path (`accepted` must equal the requirements; the deadline
 * may be at most maxTimeoutSeconds ahead). Every chain fact — code of payer and token, ECDSA recovery (the ecrecover
 * precompile), ERC-1271, balance, Permit2 allowance, nonce bitmap, proxy presence and the simulated `settle` — comes
 * from one `probePermit2` call (one Multicall3 eth_call plus one eth_getCode, sent as one JSON-RPC batch).
 * Signature kinds: EOA and strict ERC-1271, like the SDK (an ERC-6492-wrapped signature fails as the SDK's does).
 */
export class Permit2Verifier {
  constructor(private readonly options: Permit2VerifyOptions) {}

  async verify(request: FacilitatorRequestV2, chain: EvmChain, nowSeconds: number): Promise<Permit2VerifyOutcome> {
    const { paymentPayload: p, paymentRequirements: r } = request;
    const payload = parsePermit2Payload(p.payload);
    const auth = payload.permit2Authorization;
    const payer = auth.from;
    const facts = this.facts(request, payload);

    if (p.accepted.scheme !== 'exact' || r.scheme !== 'exact') {
      return invalid(Permit2Reason.UnsupportedPayloadType, payer, facts);
    }
    if (p.accepted.network !== r.network) return invalid(EvmReason.NetworkMismatch, payer, facts);
    const asset = requirementAddress(r.asset, 'paymentRequirements.asset');
    const payTo = requirementAddress(r.payTo, 'paymentRequirements.payTo');
    // Stricter than the SDK (which trusts paymentRequirements): what the buyer accepted must be what is charged.
    const accepted = p.accepted;
    if (accepted.asset.toLowerCase() !== r.asset.toLowerCase()) {
      return invalid(
        GenericReason.InvalidPaymentRequirements,
        payer,
        facts,
        'accepted.asset differs from paymentRequirements.asset',
      );
    }
    if (accepted.payTo.toLowerCase() !== r.payTo.toLowerCase()) {
      return invalid(
        Permit2Reason.RecipientMismatch,
        payer,
        facts,
        'accepted.payTo differs from paymentRequirements.payTo',
      );
    }
    if (accepted.amount !== r.amount) {
      return invalid(
        Permit2Reason.AmountMismatch,
        payer,
        facts,
        'accepted.amount differs from paymentRequirements.amount',
      );
    }

    if (getAddress(auth.spender) !== X402_EXACT_PERMIT2_PROXY_ADDRESS) {
      return invalid(Permit2Reason.InvalidSpender, payer, facts);
    }
    if (getAddress(auth.witness.to) !== payTo) return invalid(Permit2Reason.RecipientMismatch, payer, facts);
    const now = BigInt(nowSeconds);
    const deadline = sdkBigInt(auth.deadline, 'paymentPayload.payload.permit2Authorization.deadline');
    const validAfter = sdkBigInt(
      auth.witness.validAfter,
      'paymentPayload.payload.permit2Authorization.witness.validAfter',
    );
    const value = sdkBigInt(auth.permitted.amount, 'paymentPayload.payload.permit2Authorization.permitted.amount');
    const nonce = sdkBigInt(auth.nonce, 'paymentPayload.payload.permit2Authorization.nonce');
    if (deadline < now + DEADLINE_BUFFER_SECONDS) return invalid(Permit2Reason.DeadlineExpired, payer, facts);
    if (validAfter > now) return invalid(Permit2Reason.NotYetValid, payer, facts);
    const amount = sdkBigInt(r.amount, 'paymentRequirements.amount', ExactEvmErrorCode.INVALID_REQUIREMENTS);
    if (value !== amount) return invalid(Permit2Reason.AmountMismatch, payer, facts);
    if (getAddress(auth.permitted.token) !== asset) return invalid(Permit2Reason.TokenMismatch, payer, facts);
    // Stricter than the SDK: an authorization may not outlive the requirement's timeout (+ clock skew), so a
    // reservation by /verify cannot stand for longer than the route asked for.
    const horizon = now + BigInt(r.maxTimeoutSeconds) + BigInt(this.options.validBeforeSkewSeconds);
    if (deadline > horizon) {
      return invalid(
        Permit2Reason.DeadlineExpired,
        payer,
        facts,
        `deadline is more than maxTimeoutSeconds (${r.maxTimeoutSeconds}) ahead`,
      );
    }

    const digest = permit2Digest(chain.chainId, auth);
    const signature = payload.signature;
    const signatureIsHex = EVEN_HEX.test(signature);
    const probe = await chain.probePermit2(
      this.check(facts, nonce, digest, signatureIsHex ? (signature as Hex) : '0x', signatureIsHex),
    );

    if (!probe.tokenHasCode) return invalid(EvmReason.AssetNotDeployedContract, payer, facts);
    facts.signatureKind = probe.ownerHasCode ? 'erc1271' : 'eoa';
    if (digest === null || !signatureIsHex || !signatureValid(probe, facts.from)) {
      return invalid(Permit2Reason.InvalidSignature, payer, facts);
    }
    if (!this.options.simulate) return { isValid: true, payer, facts };
    // A successful simulation proves the proxy has code (the probe then skips the diagnostic reads).
    const proxyDeployed = probe.simulation.success || decodeProxyPermit2(probe.proxyPermit2) !== null;
    if (proxyDeployed && probe.simulation.success) return { isValid: true, payer, facts };
    return invalid(diagnose(probe, amount), payer, facts, describeFailure(probe, proxyDeployed, nonce));
  }

  private check(
    facts: Permit2Facts,
    nonce: bigint,
    digest: Hex | null,
    signature: Hex,
    hex: boolean,
  ): Permit2ProbeCheck {
    return {
      token: facts.asset,
      owner: facts.from,
      proxy: facts.proxy,
      permit2: PERMIT2_ADDRESS,
      amount: facts.value,
      nonce,
      digest: digest ?? ZERO32,
      signature,
      ecdsa: hex && digest !== null ? splitEcdsa(signature) : null,
      settleCalldata: this.options.simulate && facts.settleCalldata !== '0x' ? facts.settleCalldata : null,
    };
  }

  /** Facts from the payload as sent (all fields parse loosely; verdicts come from verify). */
  private facts(request: FacilitatorRequestV2, payload: Permit2Payload): Permit2Facts {
    const r = request.paymentRequirements;
    const auth = payload.permit2Authorization;
    const loose = (text: string): bigint => {
      try {
        return BigInt(text);
      } catch {
        return 0n;
      }
    };
    const facts: Permit2Facts = {
      assetTransferMethod: 'permit2',
      payerRaw: auth.from,
      from: getAddress(auth.from),
      to: getAddress(auth.witness.to),
      value: loose(auth.permitted.amount),
      validAfter: loose(auth.witness.validAfter),
      validBefore: loose(auth.deadline),
      nonce: canonicalPermit2Nonce(auth.nonce),
      asset: (ADDRESS.test(r.asset) ? getAddress(r.asset) : r.asset) as Address,
      payTo: (ADDRESS.test(r.payTo) ? getAddress(r.payTo) : r.payTo) as Address,
      amount: canonicalAmount(r.amount),
      network: r.network,
      signatureKind: 'eoa',
      proxy: X402_EXACT_PERMIT2_PROXY_ADDRESS,
      settleCalldata: '0x',
    };
    facts.settleCalldata = settleCalldataOf(payload);
    return facts;
  }
}

function invalid(reason: string, payer: string, facts: Permit2Facts, message?: string): Permit2VerifyOutcome {
  return message === undefined
    ? { isValid: false, reason, payer, facts }
    : { isValid: false, reason, message, payer, facts };
}

/**
 * `x402ExactPermit2Proxy.settle(permit, owner, witness, signature)` calldata, built as the SDK's
 * buildExactPermit2SettleArgs does (an ERC-6492 wrapper is stripped), or `0x` when the values do not encode.
 */
export function settleCalldataOf(payload: Permit2Payload): Hex {
  const auth = payload.permit2Authorization;
  if (!EVEN_HEX.test(payload.signature)) return '0x';
  try {
    return encodeFunctionData({
      abi: x402ExactPermit2ProxyABI,
      functionName: 'settle',
      args: [
        {
          permitted: { token: getAddress(auth.permitted.token), amount: BigInt(auth.permitted.amount) },
          nonce: BigInt(auth.nonce),
          deadline: BigInt(auth.deadline),
        },
        getAddress(auth.from),
        { to: getAddress(auth.witness.to), validAfter: BigInt(auth.witness.validAfter) },
        unwrapErc6492(payload.signature as Hex),
      ],
    });
  } catch {
    return '0x';
  }
}

const ERC6492_MAGIC = '6492649264926492649264926492649264926492649264926492649264926492';

function unwrapErc6492(signature: Hex): Hex {
  if (!signature.toLowerCase().endsWith(ERC6492_MAGIC)) return signature;
  try {
    // abi.encode(address factory, bytes factoryData, bytes signature) ++ magic
    const body = `0x${signature.slice(2, -64)}` as Hex;
    const offset = Number(BigInt(`0x${body.slice(2 + 128, 2 + 192)}`));
    const len = Number(BigInt(`0x${body.slice(2 + offset * 2, 2 + offset * 2 + 64)}`));
    return `0x${body.slice(2 + offset * 2 + 64, 2 + offset * 2 + 64 + len * 2)}` as Hex;
  } catch {
    return signature;
  }
}

/** ecrecover input of a 65-byte signature (v normalized 0/1 → 27/28), or null when it cannot be an ECDSA one. */
function splitEcdsa(signature: Hex): { v: number; r: Hex; s: Hex } | null {
  if (signature.length !== 132) return null;
  const last = parseInt(signature.slice(130, 132), 16);
  const v = last === 0 || last === 1 ? last + 27 : last;
  if (v !== 27 && v !== 28) return null;
  return { v, r: `0x${signature.slice(2, 66)}` as Hex, s: `0x${signature.slice(66, 130)}` as Hex };
}

/** The SDK's verifyTypedDataSignature: ecrecover when the owner has no code, strict ERC-1271 when it has. */
function signatureValid(probe: Permit2ProbeResult, owner: Address): boolean {
  if (probe.ownerHasCode) {
    return (
      probe.erc1271.success && probe.erc1271.data.length >= 10 && probe.erc1271.data.slice(0, 10) === ERC1271_MAGIC
    );
  }
  if (!probe.ecrecover.success || probe.ecrecover.data.length !== 66) return false;
  const recovered = `0x${probe.ecrecover.data.slice(26)}` as Address;
  return recovered !== '0x0000000000000000000000000000000000000000' && isAddressEqual(recovered, owner);
}

function decodeProxyPermit2(call: Permit2ProbeCall): Address | null {
  if (!call.success) return null;
  try {
    return decodeFunctionResult({ abi: x402ExactPermit2ProxyABI, functionName: 'PERMIT2', data: call.data }) as Address;
  } catch {
    return null;
  }
}

function decodeUint(call: Permit2ProbeCall, functionName: 'balanceOf' | 'allowance'): bigint | null {
  if (!call.success) return null;
  try {
    return decodeFunctionResult({ abi: erc20Abi, functionName, data: call.data }) as bigint;
  } catch {
    return null;
  }
}

/** The SDK's diagnosePermit2SimulationFailure over the probe's reads (same order, same codes). */
function diagnose(probe: Permit2ProbeResult, amount: bigint): string {
  if (decodeProxyPermit2(probe.proxyPermit2) === null) return Permit2Reason.ProxyNotDeployed;
  const balance = decodeUint(probe.balanceOf, 'balanceOf');
  if (balance !== null && balance < amount) return Permit2Reason.InsufficientBalance;
  const allowance = decodeUint(probe.allowance, 'allowance');
  if (allowance !== null && allowance < amount) return Permit2Reason.AllowanceRequired;
  return Permit2Reason.SimulationFailed;
}

const REVERT_ABI = [
  ...x402ExactPermit2ProxyABI.filter((x) => x.type === 'error'),
  ...devPermit2Abi.filter((x) => x.type === 'error'),
  { type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] },
] as const;

/** Raw revert text for invalidMessage (the SDK puts no message here; ours names the revert, e.g. InvalidNonce). */
function describeFailure(probe: Permit2ProbeResult, proxyDeployed: boolean, nonce: bigint): string {
  if (!proxyDeployed) return 'x402ExactPermit2Proxy is not deployed on this network';
  if (permit2NonceUsed(probe.nonceBitmap, nonce))
    return 'execution reverted: InvalidNonce (Permit2 nonce already used)';
  const data = probe.simulation.data;
  if (data === '0x') return 'execution reverted';
  try {
    const decoded = decodeErrorResult({ abi: REVERT_ABI, data });
    const args = decoded.args && decoded.args.length > 0 ? `(${decoded.args.map(String).join(', ')})` : '';
    return `execution reverted: ${decoded.errorName}${args}`;
  } catch {
    return `execution reverted (data: ${data.slice(0, 202)})`;
  }
}

/** Whether a Permit2 nonce is already used according to a `nonceBitmap(owner, nonce >> 8)` answer. */
export function permit2NonceUsed(bitmap: Permit2ProbeCall, nonce: bigint): boolean | null {
  if (!bitmap.success || bitmap.data.length !== 66) return null;
  return ((BigInt(bitmap.data) >> (nonce & 0xffn)) & 1n) === 1n;
}
