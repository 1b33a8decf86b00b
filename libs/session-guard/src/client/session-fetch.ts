import { x402HTTPClient, type x402Client } from '@x402/core/client';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
} from '@x402/core/http';
import {
  createSIWxPayload,
  encodeSIWxHeader,
  type SIWxExtension,
  type SIWxSigner,
} from '@x402/extensions/sign-in-with-x';
import { SESSION_HEADER, SIWX_EXTENSION_KEY, SIWX_HEADER } from '../session-guard.constants';
import { SessionTokenStore } from './session-token.store';

export interface SessionFetchOptions {
  /** The wallet that signs SIWx proofs: the paying wallet (a viem LocalAccount works). */
  signer: SIWxSigner;
  /** Where tokens are kept (default: a new in-memory store). */
  store?: SessionTokenStore;
  /** Told about what the wrapper does (no tokens in the events). */
  onEvent?: (event: SessionFetchEvent) => void;
}

export type SessionFetchEvent =
  | { type: 'token_used'; url: string }
  | { type: 'token_refused'; url: string; status: number }
  | { type: 'token_stored'; url: string }
  | { type: 'proof_attached'; url: string };

interface CallState {
  /** A 402 already received (token refused) that the payment wrapper should start from instead of re-fetching. */
  pending402: Response | undefined;
  challenge: SIWxExtension | undefined;
}

/**
 * Client side of sessions, around the official `@x402/fetch` buyer:
 *
 * 1. a stored token covering the request is sent (PAYMENT-SESSION) — one HTTP request, no payment;
 * 2. without one (or when the server refuses it with 402) the official payment flow runs, and the paid retry also
 *    carries a SIWx proof (SIGN-IN-WITH-X) over the challenge of the 402, signed by `signer`, asking for a session;
 * 3. a PAYMENT-SESSION response header (or a token in PAYMENT-RESPONSE extensions) is stored for the next calls.
 */
export function wrapFetchWithSession(
  fetchFn: typeof globalThis.fetch,
  client: x402Client | x402HTTPClient,
  options: SessionFetchOptions,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const httpClient = client instanceof x402HTTPClient ? client : new x402HTTPClient(client);
  const store = options.store ?? new SessionTokenStore();
  const emit = (e: SessionFetchEvent): void => options.onEvent?.(e);

  const capture = (response: Response): void => {
    const direct = response.headers.get(SESSION_HEADER);
    if (direct && store.add(direct)) {
      emit({ type: 'token_stored', url: response.url });
      return;
    }
    const receipt = response.headers.get('PAYMENT-RESPONSE');
    if (!receipt) return;
    try {
      const settle = decodePaymentResponseHeader(receipt);
      const session = (settle.extensions?.[SIWX_EXTENSION_KEY] as { session?: { token?: unknown } } | undefined)
        ?.session;
      if (typeof session?.token === 'string' && store.add(session.token)) {
        emit({ type: 'token_stored', url: response.url });
      }
    } catch {
      // not a readable receipt: nothing to store
    }
  };

  const readChallenge = (response: Response, state: CallState): void => {
    const header = response.headers.get('PAYMENT-REQUIRED');
    if (!header) return;
    try {
      const required = decodePaymentRequiredHeader(header);
      const ext = required.extensions?.[SIWX_EXTENSION_KEY] as SIWxExtension | undefined;
      if (ext?.info && Array.isArray(ext.supportedChains)) state.challenge = ext;
    } catch {
      // unreadable challenge: pay without asking for a session
    }
  };

  const innerFetch =
    (state: CallState): typeof globalThis.fetch =>
    async (input, init) => {
      if (state.pending402) {
        const first = state.pending402;
        state.pending402 = undefined;
        readChallenge(first, state);
        return first;
      }
      const request = new Request(input, init);
      request.headers.delete(SESSION_HEADER);
      const payment = request.headers.get('PAYMENT-SIGNATURE');
      if (payment && state.challenge && !request.headers.has(SIWX_HEADER)) {
        const proof = await signProof(state.challenge, payment, request.url, options.signer);
        if (proof) {
          request.headers.set(SIWX_HEADER, proof);
          emit({ type: 'proof_attached', url: request.url });
        }
      }
      const response = await fetchFn(request);
      if (response.status === 402) readChallenge(response, state);
      capture(response);
      return response;
    };

  return async (input, init) => {
    // Fast path (the common case: a URL and no body to clone): no Request objects, one fetch with the token header.
    if (!(input instanceof Request) && init?.body == null) {
      const url = typeof input === 'string' ? new URL(input) : input;
      const method = init?.method ?? 'GET';
      const token = store.find(url, method);
      if (!token) return payFlow(new Request(input, init), undefined);
      const headers = new Headers(init?.headers);
      headers.set(SESSION_HEADER, token);
      const response = await fetchFn(url, { ...init, method, headers });
      return afterToken(response, token, url.href, () => new Request(input, init));
    }
    const request = new Request(input, init);
    const token = store.find(new URL(request.url), request.method);
    if (!token) return payFlow(request, undefined);
    const attempt = request.clone();
    attempt.headers.set(SESSION_HEADER, token);
    return afterToken(await fetchFn(attempt), token, request.url, () => request);
  };

  async function afterToken(
    response: Response,
    token: string,
    url: string,
    original: () => Request,
  ): Promise<Response> {
    if (response.status !== 402) {
      if (response.headers.has(SESSION_HEADER)) capture(response);
      emit({ type: 'token_used', url });
      return response;
    }
    store.remove(token);
    emit({ type: 'token_refused', url, status: response.status });
    return payFlow(original(), response);
  }

  async function payFlow(request: Request, refused: Response | undefined): Promise<Response> {
    // Loaded on first use: @x402/fetch is a peer of the client side only (servers never load it).
    const { wrapFetchWithPayment } = await import('@x402/fetch');
    const state: CallState = { pending402: refused, challenge: undefined };
    // (Its ESM typings name the CJS x402HTTPClient class differently; at run time both are the CommonJS build.)
    return wrapFetchWithPayment(innerFetch(state), httpClient as never)(request);
  }
}

/** Signs the 402's SIWx challenge for the chain being paid on (official payload + header encoding). */
async function signProof(
  challenge: SIWxExtension,
  paymentHeader: string,
  url: string,
  signer: SIWxSigner,
): Promise<string | undefined> {
  let network: string | undefined;
  try {
    network = decodePaymentSignatureHeader(paymentHeader).accepted?.network;
  } catch {
    network = undefined;
  }
  const chain =
    challenge.supportedChains.find((c) => c.chainId === network) ??
    challenge.supportedChains.find((c) => c.type === 'eip191');
  if (!chain) return undefined;
  try {
    const payload = await createSIWxPayload(
      { ...challenge.info, chainId: chain.chainId, type: chain.type },
      signer,
      url,
    );
    return encodeSIWxHeader(payload);
  } catch {
    return undefined;
  }
}
