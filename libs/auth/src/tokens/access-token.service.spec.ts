import { Clock } from '@x402-ledger/ledger';
import { AuthErrorCode } from '../auth.exception';
import { payerPrincipal, providerPrincipal } from '../principal/principal';
import { AccessTokenService } from './access-token.service';

class StepClock extends Clock {
  constructor(public t = new Date('2026-03-01T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.t.getTime());
  }
}

const SECRET = 's'.repeat(32);
const WALLET = '0x' + 'ab'.repeat(20);

describe('AccessTokenService', () => {
  it('round-trips payer and provider principals', async () => {
    const clock = new StepClock();
    const sut = new AccessTokenService(SECRET, clock, 600);
    const payer = await sut.issue(payerPrincipal('x', WALLET));
    expect(payer.expiresAt.toISOString()).toBe('2026-03-01T12:10:00.000Z');
    expect(await sut.verify(payer.token)).toEqual({ kind: 'payer', id: `wallet:${WALLET}`, wallet: WALLET });
    const provider = await sut.issue(providerPrincipal('x', null, [WALLET]));
    expect(await sut.verify(provider.token)).toEqual({
      kind: 'provider',
      id: `wallet:${WALLET}`,
      tenant: null,
      payTo: [WALLET],
    });
  });

  it('caps the lifetime at notAfter and refuses expired tokens', async () => {
    const clock = new StepClock();
    const sut = new AccessTokenService(SECRET, clock, 3600);
    const { token, expiresAt } = await sut.issue(payerPrincipal('x', WALLET), new Date('2026-03-01T12:05:00.000Z'));
    expect(expiresAt.toISOString()).toBe('2026-03-01T12:05:00.000Z');
    clock.t = new Date('2026-03-01T12:06:00.000Z');
    await expect(sut.verify(token)).rejects.toMatchObject({
      code: AuthErrorCode.UNAUTHENTICATED,
      message: 'token expired',
    });
  });

  it('refuses tokens signed with another secret, and short secrets', async () => {
    const clock = new StepClock();
    const other = await new AccessTokenService('o'.repeat(32), clock).issue(payerPrincipal('x', WALLET));
    await expect(new AccessTokenService(SECRET, clock).verify(other.token)).rejects.toMatchObject({
      code: AuthErrorCode.UNAUTHENTICATED,
    });
    expect(() => new AccessTokenService('short', clock)).toThrow(
      expect.objectContaining({ code: AuthErrorCode.INVALID_INPUT }),
    );
  });
});
