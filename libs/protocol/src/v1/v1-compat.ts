import { EVM_NETWORK_CHAIN_ID_MAP } from '@x402/evm/v1';
import type { Caip2 } from '../caip2/caip2';
import { ProtocolErrorCode, ProtocolException } from '../protocol.exception';
import type {
  FacilitatorRequestV1,
  FacilitatorRequestV2,
  PaymentPayloadV2,
  PaymentRequirementsV2,
} from '../wire/wire.schemas';

/** V1 network names → CAIP-2, from the SDK's own table (`@x402/evm/v1` EVM_NETWORK_CHAIN_ID_MAP). */
export const V1_EVM_NETWORKS: Readonly<Record<string, Caip2>> = Object.fromEntries(
  Object.entries(EVM_NETWORK_CHAIN_ID_MAP).map(([name, chainId]) => [name, `eip155:${chainId}` as Caip2]),
);

/**
 * Maps a V1 network name to CAIP-2. `aliases` adds names the SDK does not know (a networks file can name its chains,
 * e.g. `{"hardhat": "eip155:31337"}`); they win over the SDK table. Returns null for an unknown name.
 */
export function v1NetworkToCaip2(name: string, aliases: Readonly<Record<string, string>> = {}): Caip2 | null {
  const hit = aliases[name] ?? V1_EVM_NETWORKS[name];
  return (hit as Caip2 | undefined) ?? null;
}

/** The V1 name of a CAIP-2 network (aliases first), or null. */
export function caip2ToV1Network(network: string, aliases: Readonly<Record<string, string>> = {}): string | null {
  for (const [name, id] of Object.entries(aliases)) if (id === network) return name;
  for (const [name, id] of Object.entries(V1_EVM_NETWORKS)) if (id === network) return name;
  return null;
}

/** A V1 request lifted into the V2 shape, plus the V1 network name to answer with. */
export interface LiftedV1Request {
  request: FacilitatorRequestV2;
  /** The payload's own V1 network name: V1 answers carry it in `network`. */
  v1Network: string;
}

/**
 * Lifts a V1 /verify or /settle body into the V2 shape so one verification core serves both versions:
 * `maxAmountRequired` → `amount`, network names → CAIP-2, the requirement's resource fields → `resource`, and an
 * `accepted` built from the payload's scheme/network plus the requirements (V1 payloads carry no `accepted`).
 * `x402Version` stays 1 on the lifted payload so answers and events still say which version was spoken.
 */
export function liftV1Request(
  v1: FacilitatorRequestV1,
  aliases: Readonly<Record<string, string>> = {},
): LiftedV1Request {
  const { paymentPayload: p, paymentRequirements: r } = v1;
  const requirementsNetwork = v1NetworkToCaip2(r.network, aliases);
  const payloadNetwork = v1NetworkToCaip2(p.network, aliases);
  if (!requirementsNetwork || !payloadNetwork) {
    const unknown = !payloadNetwork ? p.network : r.network;
    throw new ProtocolException(ProtocolErrorCode.UNKNOWN_V1_NETWORK, `unknown V1 network "${unknown}"`);
  }
  const paymentRequirements: PaymentRequirementsV2 = {
    scheme: r.scheme,
    network: requirementsNetwork,
    amount: r.maxAmountRequired,
    asset: r.asset,
    payTo: r.payTo,
    maxTimeoutSeconds: r.maxTimeoutSeconds,
    extra: r.extra ?? undefined,
  };
  const paymentPayload = {
    x402Version: 1,
    resource: { url: r.resource, description: r.description, mimeType: r.mimeType },
    accepted: { ...paymentRequirements, scheme: p.scheme, network: payloadNetwork },
    payload: p.payload,
  } as unknown as PaymentPayloadV2;
  return {
    request: { x402Version: 2, paymentPayload, paymentRequirements },
    v1Network: p.network,
  };
}
