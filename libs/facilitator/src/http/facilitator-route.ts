import { GenericReason } from '@x402-ledger/protocol';

export type FacilitatorRoute = 'verify' | 'settle' | 'supported';

export function routeOf(path: string): FacilitatorRoute | null {
  const p = path.replace(/\/+$/, '');
  if (p.endsWith('/verify')) return 'verify';
  if (p.endsWith('/settle')) return 'settle';
  if (p.endsWith('/supported')) return 'supported';
  return null;
}

/** The protocol-shaped error body of a route: SDK clients parse `isValid`/`success` bodies even on 4xx/5xx. */
export function errorBody(
  route: FacilitatorRoute | null,
  reason: string,
  message: string,
  network = '',
): Record<string, unknown> {
  if (route === 'verify') return { isValid: false, invalidReason: reason, invalidMessage: message };
  if (route === 'settle')
    return { success: false, errorReason: reason, errorMessage: message, transaction: '', network };
  return { error: message };
}

export function serverReason(route: FacilitatorRoute | null): string {
  return route === 'settle' ? GenericReason.UnexpectedSettleError : GenericReason.UnexpectedVerifyError;
}

/** The requirements' network named in a body, if any (settle errors must carry `network`). */
export function networkOf(body: unknown): string {
  const network = (body as { paymentRequirements?: { network?: unknown } } | undefined)?.paymentRequirements?.network;
  return typeof network === 'string' ? network : '';
}
