import { canonicalPermit2Nonce } from '@x402-ledger/evm';
import { paymentId as derivePaymentId, rawPayloadStreamId, canonicalJson } from '@x402-ledger/ledger';
import { fingerprint, liftV1Request, parseFacilitatorRequest, type FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { extractPaymentIdentifier } from '@x402/extensions/payment-identifier';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** A /verify or /settle body, validated, lifted to the V2 shape, with what the facilitator derives from it. */
export interface PaymentRequest {
  request: FacilitatorRequestV2;
  x402Version: 1 | 2;
  /** CAIP-2 network of the requirements. */
  network: string;
  /** The network as the answer must name it: the V1 name for V1 requests. */
  responseNetwork: string;
  /** paymentId(network, asset, payer, nonce), or null when the payload does not carry those fields well-formed. */
  paymentId: string | null;
  /** The stream a verification failure goes on: the payment, or the raw payload's hash. */
  streamId: string;
  /** The payment-identifier extension's id, when the payload carries a valid one. */
  paymentIdentifier: string | null;
  /** sha256 of the canonical payload: "same payload" for payment-identifier idempotency (computed on first use). */
  readonly payloadFingerprint: string;
  resourceUrl: string | null;
}

/**
 * The payer and the nonce that name the payment, by payload shape exactly as the SDK routes (`permit2Authorization`
 * ⇒ Permit2, else EIP-3009): the EIP-3009 bytes32 nonce (lowercased by the id), or the Permit2 uint256 nonce as its
 * canonical decimal string (so "0x1f" and "31" are one payment, as they are one nonce on chain). null when absent or
 * malformed.
 */
export function payerAndNonce(payload: Record<string, unknown>): { from: unknown; nonce: string | null } {
  if ('permit2Authorization' in payload) {
    const auth = payload.permit2Authorization as { from?: unknown; nonce?: unknown } | null;
    return { from: auth?.from, nonce: canonicalPermit2Nonce(auth?.nonce) };
  }
  const auth = payload.authorization as { from?: unknown; nonce?: unknown } | undefined;
  const nonce = auth?.nonce;
  return { from: auth?.from, nonce: typeof nonce === 'string' && BYTES32.test(nonce) ? nonce : null };
}

export function parsePaymentRequest(body: unknown, v1Aliases: Readonly<Record<string, string>>): PaymentRequest {
  const parsed = parseFacilitatorRequest(body);
  const lifted = parsed.x402Version === 1 ? liftV1Request(parsed, v1Aliases) : null;
  const request = lifted ? lifted.request : (parsed as FacilitatorRequestV2);
  const r = request.paymentRequirements;
  const { from, nonce } = payerAndNonce(request.paymentPayload.payload);
  const paymentId =
    typeof from === 'string' && nonce !== null && ADDRESS.test(from) && ADDRESS.test(r.asset)
      ? derivePaymentId({ network: r.network, asset: r.asset, payer: from, nonce })
      : null;
  const rawPayload = (body as { paymentPayload: unknown }).paymentPayload;
  let paymentIdentifier: string | null = null;
  if (parsed.x402Version === 2) {
    try {
      paymentIdentifier = extractPaymentIdentifier(request.paymentPayload as never) ?? null;
    } catch {
      paymentIdentifier = null;
    }
  }
  const url = request.paymentPayload.resource?.url;
  let print: string | undefined;
  return {
    request,
    x402Version: parsed.x402Version,
    network: r.network,
    responseNetwork: lifted ? lifted.v1Network : r.network,
    paymentId,
    streamId: paymentId ?? rawPayloadStreamId(canonicalJson(rawPayload)),
    paymentIdentifier,
    get payloadFingerprint() {
      return (print ??= fingerprint(rawPayload));
    },
    resourceUrl: typeof url === 'string' && url.length > 0 && url.length <= 4096 ? url : null,
  };
}
