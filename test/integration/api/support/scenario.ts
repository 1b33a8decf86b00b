import { addr, LedgerWriter, type WrittenPayment } from './ledger-writer';

export const T0 = new Date('2026-03-02T00:00:00.000Z');
export const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

export const ACME_1 = addr('acme-payto-1');
export const ACME_2 = addr('acme-payto-2');
export const GLOBEX_1 = addr('globex-payto-1');
export const PAYER_1 = addr('payer-1');
export const PAYER_2 = addr('payer-2');
export const PAYER_3 = addr('payer-3');

/**
 * Two provider tenants with overlapping payers:
 * - acme / ACME_1: a (P1 1.0, refunded 0.4), b (P2 2.0, dispute open), c (P1 0.5)
 * - acme / ACME_2: d (P3 3.0), e (P3, settlement failed), f (P1, verified only)
 * - globex / GLOBEX_1: g (P1 7.0, session), h (P2 8.0, fully refunded)
 * - verification failures: acme ×2 (insufficient_funds, invalid_exact_evm_signature), globex ×1 (payments in
 *   status VERIFICATION_FAILED: acme sees 8 payments, globex 3, an admin 11)
 * - sessions: a (acme), g (globex); discovery: one resource per tenant
 */
export function twoTenantScenario() {
  const w = new LedgerWriter();
  const a = w.payment({ tenant: 'acme', payTo: ACME_1, payer: PAYER_1, amount: 1_000_000n, at: at(1) });
  const b = w.payment({ tenant: 'acme', payTo: ACME_1, payer: PAYER_2, amount: 2_000_000n, at: at(2) });
  const c = w.payment({ tenant: 'acme', payTo: ACME_1, payer: PAYER_1, amount: 500_000n, at: at(3) });
  const d = w.payment({ tenant: 'acme', payTo: ACME_2, payer: PAYER_3, amount: 3_000_000n, at: at(4) });
  const e = w.payment({
    tenant: 'acme',
    payTo: ACME_2,
    payer: PAYER_3,
    amount: 4_000_000n,
    at: at(5),
    outcome: 'settlement_failed',
  });
  const f = w.payment({
    tenant: 'acme',
    payTo: ACME_2,
    payer: PAYER_1,
    amount: 900_000n,
    at: at(6),
    outcome: 'verified',
  });
  const g = w.payment({ tenant: 'globex', payTo: GLOBEX_1, payer: PAYER_1, amount: 7_000_000n, at: at(1.5) });
  const h = w.payment({ tenant: 'globex', payTo: GLOBEX_1, payer: PAYER_2, amount: 8_000_000n, at: at(2.5) });
  const refundA = w.refund(a, { amount: 400_000n, at: at(10), key: 'refund-a' });
  const refundH = w.refund(h, { amount: 8_000_000n, at: at(11), key: 'refund-h' });
  const disputeB = w.dispute(b, { at: at(12), key: 'dispute-b' });
  // A failed verification with a derivable payment id is a payment too (status VERIFICATION_FAILED).
  const failedAcme1 = w.verificationFailure({
    tenant: 'acme',
    payTo: ACME_1,
    payer: PAYER_2,
    at: at(7),
    reason: 'insufficient_funds',
  });
  const failedAcme2 = w.verificationFailure({
    tenant: 'acme',
    payTo: ACME_2,
    payer: PAYER_3,
    at: at(8),
    reason: 'invalid_exact_evm_signature',
  });
  const failedGlobex = w.verificationFailure({
    tenant: 'globex',
    payTo: GLOBEX_1,
    payer: PAYER_1,
    at: at(9),
    reason: 'insufficient_funds',
  });
  const sessionA = w.session(a, { at: at(1.1), calls: 5, spend: 0n });
  const sessionG = w.session(g, { at: at(1.6), calls: 2, spend: 0n });
  w.discovery({ tenant: 'acme', resourceUrl: 'https://acme.example/weather', payTo: ACME_1, at: at(0.5) });
  w.discovery({ tenant: 'globex', resourceUrl: 'https://globex.example/stocks', payTo: GLOBEX_1, at: at(0.5) });
  const payments: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h', WrittenPayment> = { a, b, c, d, e, f, g, h };
  return {
    writer: w,
    payments,
    refundA,
    refundH,
    disputeB,
    sessionA,
    sessionG,
    failedAcme1,
    failedAcme2,
    failedGlobex,
  };
}
