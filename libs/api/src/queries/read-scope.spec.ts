import { adminPrincipal, payerPrincipal, providerPrincipal } from '@x402-ledger/auth';
import { ApiErrorCode } from '../api.exception';
import { scopeConditions, scopeOf } from './read-scope';

const A = '0x' + 'a'.repeat(40);

describe('read scope', () => {
  it('renders parameterized conditions for each principal', () => {
    const params: Record<string, unknown> = {};
    expect(scopeConditions(scopeOf(adminPrincipal('a')), params, { tenant: 't' })).toEqual([]);
    expect(scopeConditions(scopeOf(providerPrincipal('k', 'acme', [A])), params, { tenant: 't', payTo: 'p' })).toEqual([
      't = {s_tenant:String}',
      'p IN {s_payTo:Array(String)}',
    ]);
    expect(scopeConditions(scopeOf(payerPrincipal('w', A)), params, { tenant: 't', payer: 'x' })).toEqual([
      'x = {s_payer:String}',
    ]);
    expect(params).toEqual({ s_tenant: 'acme', s_payTo: [A], s_payer: A });
  });

  it('refuses to drop a restriction the table cannot express', () => {
    expect(() => scopeConditions(scopeOf(payerPrincipal('w', A)), {}, { tenant: 't', payTo: 'p' })).toThrow(
      expect.objectContaining({ code: ApiErrorCode.FORBIDDEN }),
    );
    expect(() => scopeConditions(scopeOf(providerPrincipal('k', 'acme', [A])), {}, { tenant: 't' })).toThrow(
      expect.objectContaining({ code: ApiErrorCode.FORBIDDEN }),
    );
  });
});
