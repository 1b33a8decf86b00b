import { canSeePayment, type Principal } from '@x402-ledger/auth';
import type { PaymentState } from '@x402-ledger/ledger';
import { RefundsErrorCode, RefundsException } from '../refunds.exception';

/** Whether the caller may see the payment (and through it its refunds and disputes). */
export function isVisible(actor: Principal, state: PaymentState): boolean {
  const p = state.payment;
  return (
    p !== null &&
    state.tenant !== null &&
    canSeePayment(actor, { tenant: state.tenant, payTo: p.payTo, payer: p.payer })
  );
}

/** NOT_FOUND (not FORBIDDEN) when the caller may not see the payment: its existence is not disclosed. */
export function assertVisible(actor: Principal, state: PaymentState, what: string): void {
  if (!isVisible(actor, state)) throw new RefundsException(RefundsErrorCode.NOT_FOUND, `${what} not found`);
}

export function forbidden(message: string): RefundsException {
  return new RefundsException(RefundsErrorCode.FORBIDDEN, message);
}

export function invalidInput(message: string): RefundsException {
  return new RefundsException(RefundsErrorCode.INVALID_INPUT, message);
}
