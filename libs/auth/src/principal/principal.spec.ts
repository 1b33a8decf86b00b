import { AuthErrorCode } from '../auth.exception';
import { adminPrincipal, canSeePayment, payerPrincipal, providerPrincipal } from './principal';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const P = '0x' + 'c'.repeat(40);

describe('canSeePayment', () => {
  const payment = { tenant: 'acme', payTo: A.toUpperCase().replace('0X', '0x'), payer: P };

  it('lets admins see everything', () => {
    expect(canSeePayment(adminPrincipal('admin:config'), payment)).toBe(true);
  });

  it('limits providers to their tenant, then to their payTo addresses (case-insensitive)', () => {
    expect(canSeePayment(providerPrincipal('k', 'acme', []), payment)).toBe(true);
    expect(canSeePayment(providerPrincipal('k', 'globex', []), payment)).toBe(false);
    expect(canSeePayment(providerPrincipal('k', 'acme', [A]), payment)).toBe(true);
    expect(canSeePayment(providerPrincipal('k', 'acme', [B]), payment)).toBe(false);
    expect(canSeePayment(providerPrincipal('w', null, [A]), payment)).toBe(true);
    expect(canSeePayment(providerPrincipal('w', null, [B]), payment)).toBe(false);
  });

  it("limits payers to their own payments; a payment without payer is nobody's", () => {
    expect(canSeePayment(payerPrincipal('w', P.toUpperCase().replace('0X', '0x')), payment)).toBe(true);
    expect(canSeePayment(payerPrincipal('w', A), payment)).toBe(false);
    expect(canSeePayment(payerPrincipal('w', P), { ...payment, payer: null })).toBe(false);
  });
});

describe('providerPrincipal', () => {
  it('refuses a provider that would see everything (no tenant, no payTo) and bad input', () => {
    expect(() => providerPrincipal('w', null, [])).toThrow(
      expect.objectContaining({ code: AuthErrorCode.INVALID_INPUT }),
    );
    expect(() => providerPrincipal('k', 'bad tenant!', [])).toThrow(
      expect.objectContaining({ code: AuthErrorCode.INVALID_INPUT }),
    );
    expect(() => providerPrincipal('k', 'acme', ['0x12'])).toThrow(
      expect.objectContaining({ code: AuthErrorCode.INVALID_INPUT }),
    );
  });

  it('normalizes payTo to lowercase, sorted, unique', () => {
    const sut = providerPrincipal('k', 'acme', [B, A.toUpperCase().replace('0X', '0x'), A]);
    expect(sut.payTo).toEqual([A, B]);
  });
});
