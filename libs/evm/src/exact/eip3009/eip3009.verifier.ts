import { EvmReason, GenericReason, type FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { eip3009ABI } from '@x402/evm';
import {
  decodeErrorResult,
  decodeFunctionResult,
  getAddress,
  isAddressEqual,
  parseErc6492Signature,
  type Address,
  type Hex,
} from 'viem';
import type { EvmChain } from '../chain/evm-chain.port';
import { ExactEvmErrorCode, ExactEvmException } from '../exact-evm.exception';
import { canonicalAmount, requirementAddress } from '../requirements.util';
import type { Eip3009ProbeCheck, Eip3009ProbeResult } from '../probe/eip3009-probe.codec';
import { eip3009DigestPlan } from './eip3009-digest';
import { parseEip3009Payload, sdkBigInt } from './eip3009.payload';

const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';
const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const EVEN_HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
/** The SDK's block-time buffer: validBefore must be at least 6 s ahead. */
const VALID_BEFORE_BUFFER_SECONDS = 6n;

export type SignatureKind = 'eoa' | 'erc1271' | 'erc6492';

/** How the settlement transaction passes the signature, exactly as the SDK's executeTransferWithAuthorization does. */
export type SettlementSignature = { mode: 'vrs'; v: number; r: Hex; s: Hex } | { mode: 'bytes'; signature: Hex };

/** What a verification learned about the authorization: enough for the payment id, events and settlement. */
export interface Eip3009Facts {
  /** `authorization.from` exactly as sent (the SDK echoes it as `payer`). */
  payerRaw: string;
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  /** Lowercase bytes32 hex, or null when the payload's nonce is not a bytes32 (then there is no payment id). */
  nonce: Hex | null;
  asset: Address;
  payTo: Address;
  /** requirements.amount as a canonical decimal string. */
  amount: string;
  network: string;
  signatureKind: SignatureKind;
  settlementSignature: SettlementSignature;
  /** ERC-6492 factory deployment, when the signature carries one and the wallet has no code yet. */
  deployment: { factory: Address; data: Hex } | null;
}

export type Eip3009VerifyOutcome =
  | { isValid: true; payer: string; facts: Eip3009Facts }
  | { isValid: false; reason: string; message?: string; payer: string; facts: Eip3009Facts };

export interface Eip3009VerifyOptions {
  /** ERC-6492 factories this facilitator may call (case-insensitive); empty = counterfactual wallets refused. */
  allowedFactories: readonly string[];
  /** Extra seconds beyond `maxTimeoutSeconds` a validBefore may reach (buyer clock skew). */
  validBeforeSkewSeconds: number;
  /** Whether to simulate the transfer (always true for /verify; /settle keeps it too, see ADR 0005). */
  simulate: boolean;
}

interface Classified {
  innerSignature: string;
  deployment: { factory: Address; data: Hex } | null;
}

/**
 * EIP-3009 verification for the EVM `exact` scheme: the SDK's checks in the SDK's order (so verdicts and reason
 * codes are the official ones), plus stricter checks the SDK lacks (`accepted` must equal the requirements, and
 * validBefore may be at most maxTimeoutSeconds ahead). All chain facts come from ONE batched probe call; the EOA
 * signature is recovered by the chain's ecrecover precompile inside that call instead of in JavaScript.
 */
export class Eip3009Verifier {
  constructor(private readonly options: Eip3009VerifyOptions) {}

  async verify(request: FacilitatorRequestV2, chain: EvmChain, nowSeconds: number): Promise<Eip3009VerifyOutcome> {
    const { paymentPayload: p, paymentRequirements: r } = request;
    const payload = parseEip3009Payload(p.payload);
    const auth = payload.authorization;
    const payer = auth.from;

    if (p.accepted.scheme !== 'exact' || r.scheme !== 'exact') {
      return this.invalid(EvmReason.InvalidScheme, payer, this.partialFacts(request, payload));
    }
    const extra = r.extra ?? {};
    if (!extra.name || !extra.version) {
      return this.invalid(EvmReason.MissingEip712Domain, payer, this.partialFacts(request, payload));
    }
    const asset = requirementAddress(r.asset, 'paymentRequirements.asset');
    if (p.accepted.network !== r.network) {
      return this.invalid(EvmReason.NetworkMismatch, payer, this.partialFacts(request, payload));
    }
    // Stricter than the SDK (which trusts paymentRequirements): what the buyer accepted must be what is charged.
    const accepted = p.accepted;
    if (!sameAddress(accepted.asset, r.asset)) {
      return this.invalid(
        GenericReason.InvalidPaymentRequirements,
        payer,
        this.partialFacts(request, payload),
        'accepted.asset differs from paymentRequirements.asset',
      );
    }
    if (!sameAddress(accepted.payTo, r.payTo)) {
      return this.invalid(
        EvmReason.RecipientMismatch,
        payer,
        this.partialFacts(request, payload),
        'accepted.payTo differs from paymentRequirements.payTo',
      );
    }
    if (accepted.amount !== r.amount) {
      return this.invalid(
        EvmReason.AuthorizationValueMismatch,
        payer,
        this.partialFacts(request, payload),
        'accepted.amount differs from paymentRequirements.amount',
      );
    }

    const value = sdkBigInt(auth.value, 'paymentPayload.payload.authorization.value');
    const validAfter = sdkBigInt(auth.validAfter, 'paymentPayload.payload.authorization.validAfter');
    const validBefore = sdkBigInt(auth.validBefore, 'paymentPayload.payload.authorization.validBefore');
    const plan = eip3009DigestPlan({
      name: extra.name,
      version: extra.version,
      chainId: chain.chainId,
      verifyingContract: asset,
      from: auth.from,
      to: auth.to,
      value,
      validAfter,
      validBefore,
      nonce: auth.nonce,
    });

    const signature = payload.signature;
    const signatureIsHex = EVEN_HEX.test(signature);
    const classified = signatureIsHex
      ? classifySignature(signature as Hex)
      : { innerSignature: signature, deployment: null };
    const facts = this.facts(request, payload, { asset, value, validAfter, validBefore, classified });

    const digest = 'digest' in plan ? plan.digest : undefined;
    // Verdicts that need no chain facts (the SDK's signature check would fail on any chain).
    if (!classified.deployment && (!signatureIsHex || digest === null)) {
      return this.invalid(EvmReason.InvalidSignature, payer, facts);
    }
    if (classified.deployment && digest === null) {
      throw new ExactEvmException(
        ExactEvmErrorCode.INVALID_PAYLOAD,
        'paymentPayload.payload.authorization: not valid EIP-712 values (address checksum, bytes32 nonce, uint256 range)',
      );
    }

    const domainSeparator = 'domainSeparator' in plan ? plan.domainSeparator : null;
    const probe = await chain.probeEip3009(this.check(asset, facts, digest ?? ZERO32, domainSeparator, classified));

    const counterfactual = classified.deployment !== null && probe.payerCodeSize === 0;
    if (counterfactual) {
      const factory = classified.deployment!.factory.toLowerCase();
      if (!this.options.allowedFactories.some((a) => a.trim().toLowerCase() === factory)) {
        return this.invalid(EvmReason.FactoryNotAllowed, payer, facts);
      }
    } else if (!probe.signatureValid) {
      return this.invalid(EvmReason.InvalidSignature, payer, facts);
    }
    facts.signatureKind = classified.deployment ? 'erc6492' : probe.payerCodeSize > 0 ? 'erc1271' : 'eoa';
    facts.deployment = counterfactual ? classified.deployment : null;

    const payTo = requirementAddress(r.payTo, 'paymentRequirements.payTo');
    if (getAddress(auth.to) !== payTo) return this.invalid(EvmReason.RecipientMismatch, payer, facts);
    const now = BigInt(nowSeconds);
    if (validBefore < now + VALID_BEFORE_BUFFER_SECONDS)
      return this.invalid(EvmReason.ValidBeforeExpired, payer, facts);
    if (validAfter > now) return this.invalid(EvmReason.ValidAfterInFuture, payer, facts);
    const amount = sdkBigInt(r.amount, 'paymentRequirements.amount', ExactEvmErrorCode.INVALID_REQUIREMENTS);
    if (value !== amount) return this.invalid(EvmReason.AuthorizationValueMismatch, payer, facts);
    // Stricter than the SDK: an authorization may not outlive the requirement's timeout (+ clock skew).
    const horizon = now + BigInt(r.maxTimeoutSeconds) + BigInt(this.options.validBeforeSkewSeconds);
    if (validBefore > horizon) {
      return this.invalid(
        EvmReason.ValidBeforeExpired,
        payer,
        facts,
        `validBefore is more than maxTimeoutSeconds (${r.maxTimeoutSeconds}) ahead`,
      );
    }
    if (probe.tokenCodeSize === 0) return this.invalid(EvmReason.AssetNotDeployedContract, payer, facts);

    if (this.options.simulate) {
      const simulationError = simulationFailure(probe, classified, signature);
      if (simulationError !== null) {
        return this.invalid(diagnose(probe, extra, amount), payer, facts, simulationError);
      }
    }
    return { isValid: true, payer, facts };
  }

  private check(
    asset: Address,
    facts: Eip3009Facts,
    digest: Hex,
    domainSeparator: Hex | null,
    classified: Classified,
  ): Eip3009ProbeCheck {
    const inner = classified.innerSignature as Hex;
    const ecdsa = splitEcdsa(inner);
    let simMode: 0 | 1 | 2 = 1;
    let simV = 0;
    if (!this.options.simulate) simMode = 2;
    else if (!classified.deployment && inner.length === 132) {
      // The SDK parses a 65-byte signature with viem parseSignature and passes `v ?? yParity` raw.
      simMode = ecdsa.rawV === null ? 2 : 0;
      simV = ecdsa.rawV ?? 0;
    }
    return {
      token: asset,
      from: facts.from,
      to: facts.to,
      value: facts.value,
      validAfter: facts.validAfter,
      validBefore: facts.validBefore,
      nonce: facts.nonce ?? ZERO32,
      digest,
      domainSeparator,
      sigMode: 1,
      v: ecdsa.v,
      r: ecdsa.r,
      s: ecdsa.s,
      signature: inner,
      simMode,
      simV,
      factory: classified.deployment?.factory ?? ZERO_ADDRESS,
      factoryData: classified.deployment?.data ?? '0x',
    };
  }

  private facts(
    request: FacilitatorRequestV2,
    payload: ReturnType<typeof parseEip3009Payload>,
    parsed: { asset: Address; value: bigint; validAfter: bigint; validBefore: bigint; classified: Classified },
  ): Eip3009Facts {
    const { paymentRequirements: r } = request;
    const auth = payload.authorization;
    const inner = parsed.classified.innerSignature;
    const ecdsa = EVEN_HEX.test(inner) && inner.length === 132 ? splitEcdsa(inner as Hex) : null;
    return {
      payerRaw: auth.from,
      from: getAddress(auth.from),
      to: getAddress(auth.to),
      value: parsed.value,
      validAfter: parsed.validAfter,
      validBefore: parsed.validBefore,
      nonce: BYTES32.test(auth.nonce) ? (auth.nonce.toLowerCase() as Hex) : null,
      asset: parsed.asset,
      payTo: ADDRESS.test(r.payTo) ? getAddress(r.payTo) : (r.payTo as Address),
      amount: canonicalAmount(r.amount),
      network: r.network,
      signatureKind: parsed.classified.deployment ? 'erc6492' : 'eoa',
      // executeTransferWithAuthorization: `v || yParity` for 65 bytes, else the bytes overload.
      settlementSignature:
        ecdsa && ecdsa.rawV !== null
          ? { mode: 'vrs', v: ecdsa.rawV, r: ecdsa.r, s: ecdsa.s }
          : { mode: 'bytes', signature: inner as Hex },
      deployment: parsed.classified.deployment,
    };
  }

  /** Facts for verdicts reached before the numbers were parsed (values may be unparseable there). */
  private partialFacts(request: FacilitatorRequestV2, payload: ReturnType<typeof parseEip3009Payload>): Eip3009Facts {
    const r = request.paymentRequirements;
    const auth = payload.authorization;
    const asBigInt = (t: string) => {
      try {
        return BigInt(t);
      } catch {
        return 0n;
      }
    };
    return this.facts(request, payload, {
      asset: (ADDRESS.test(r.asset) ? getAddress(r.asset) : r.asset) as Address,
      value: asBigInt(auth.value),
      validAfter: asBigInt(auth.validAfter),
      validBefore: asBigInt(auth.validBefore),
      classified: EVEN_HEX.test(payload.signature)
        ? classifySignature(payload.signature as Hex)
        : { innerSignature: payload.signature, deployment: null },
    });
  }

  private invalid(reason: string, payer: string, facts: Eip3009Facts, message?: string): Eip3009VerifyOutcome {
    return message === undefined
      ? { isValid: false, reason, payer, facts }
      : { isValid: false, reason, message, payer, facts };
  }
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The SDK's classifyErc6492Payer, minus the getCode (the probe answers that). */
function classifySignature(signature: Hex): Classified {
  const parsed = parseErc6492Signature(signature);
  const has = !!(parsed.address && parsed.data && !isAddressEqual(parsed.address, ZERO_ADDRESS));
  return {
    innerSignature: has ? parsed.signature : signature,
    deployment: has ? { factory: getAddress(parsed.address!), data: parsed.data! } : null,
  };
}

/** r, s, v of a 65-byte signature: `v` normalized for ecrecover (0/1 → 27/28), `rawV` as viem parseSignature keeps it. */
function splitEcdsa(signature: Hex): { v: number; rawV: number | null; r: Hex; s: Hex } {
  if (signature.length !== 132) return { v: 0, rawV: null, r: ZERO32, s: ZERO32 };
  const r = `0x${signature.slice(2, 66)}` as Hex;
  const s = `0x${signature.slice(66, 130)}` as Hex;
  const last = parseInt(signature.slice(130, 132), 16);
  if (last === 0 || last === 1) return { v: last + 27, rawV: last, r, s };
  if (last === 27 || last === 28) return { v: last, rawV: last, r, s };
  return { v: 0, rawV: null, r, s };
}

/** Null when the simulated transfer succeeded, else the raw failure text (the SDK puts it in invalidMessage). */
function simulationFailure(probe: Eip3009ProbeResult, classified: Classified, signature: string): string | null {
  if (!classified.deployment && signature.length === 132 && splitEcdsa(signature as Hex).rawV === null) {
    return 'Invalid yParityOrV value';
  }
  if (probe.simulation.success) return null;
  return describeRevert(probe.simulation.data);
}

const ERROR_ABI = [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }] as const;

function describeRevert(data: Hex): string {
  if (data === '0x') return 'execution reverted';
  try {
    const decoded = decodeErrorResult({ abi: ERROR_ABI, data });
    return `execution reverted: ${String(decoded.args?.[0])}`;
  } catch {
    return `execution reverted (data: ${data.slice(0, 202)})`;
  }
}

function decodeCall<T>(
  call: { success: boolean; data: Hex },
  functionName: 'balanceOf' | 'name' | 'version' | 'authorizationState',
): { ok: true; value: T } | { ok: false } {
  if (!call.success) return { ok: false };
  try {
    return { ok: true, value: decodeFunctionResult({ abi: eip3009ABI, functionName, data: call.data }) as T };
  } catch {
    return { ok: false };
  }
}

/** The SDK's diagnoseEip3009SimulationFailure over the probe's reads (same order, same codes). */
function diagnose(probe: Eip3009ProbeResult, extra: Record<string, unknown>, amount: bigint): string {
  const authState = decodeCall<boolean>(probe.authorizationState, 'authorizationState');
  if (!authState.ok) return EvmReason.Eip3009NotSupported;
  if (authState.value === true) return EvmReason.NonceAlreadyUsed;
  const name = decodeCall<string>(probe.name, 'name');
  if (name.ok && extra.name && name.value !== extra.name) return EvmReason.TokenNameMismatch;
  const version = decodeCall<string>(probe.version, 'version');
  if (version.ok && extra.version && version.value !== extra.version) return EvmReason.TokenVersionMismatch;
  const balance = decodeCall<bigint>(probe.balanceOf, 'balanceOf');
  if (balance.ok && balance.value < amount) return EvmReason.InsufficientBalance;
  return EvmReason.SimulationFailed;
}
