/** What the session service needs to know about a settled payment. */
export interface SettledPayment {
  paymentId: string;
  tenant: string;
  payer: string;
  payTo: string;
  amount: string;
  asset: string;
  network: string;
  /** The resource the payment was for (null when the payload named none). */
  resourceUrl: string | null;
  /** Id of the payment.settled event (causation of the session events). */
  settledEventId: string;
  settledAt: string;
}

/**
 * Lookup of settled payments. The daemon binds it to the facilitator's payment state; the default implementation
 * reads `payment.settled` events from the EventLog.
 */
export abstract class SettledPayments {
  /** The settled payment with this id, or undefined when the ledger has none (yet). */
  abstract find(paymentId: string): Promise<SettledPayment | undefined>;
  /** Settled payments of one payer for one tenant, newest first (official SIWx storage `recordPayment`). */
  abstract byPayer(tenant: string, payer: string): Promise<SettledPayment[]>;
}
