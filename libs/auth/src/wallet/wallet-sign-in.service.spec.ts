import { privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { Clock } from '@x402-ledger/ledger';
import { AuthErrorCode } from '../auth.exception';
import { SecretGenerator } from '../crypto/secret-generator.port';
import { AccessTokenService } from '../tokens/access-token.service';
import { SignInNonceStore } from './sign-in-nonce.store';
import { EoaSignatureVerifier } from './signature-verifier.port';
import { WalletSignInService } from './wallet-sign-in.service';

class StepClock extends Clock {
  constructor(public t = new Date('2026-03-01T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.t.getTime());
  }
}
class Secrets extends SecretGenerator {
  private n = 0;
  hex(length: number): string {
    return (++this.n).toString(16).padStart(2 * length, '0');
  }
}

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);

function setup() {
  const clock = new StepClock();
  const nonces = new SignInNonceStore(clock, new Secrets(), 60_000);
  const sut = new WalletSignInService(
    { domain: 'api.example' },
    nonces,
    new EoaSignatureVerifier(),
    new AccessTokenService('k'.repeat(32), clock),
    clock,
  );
  const message = (nonce: string, extra: Partial<Parameters<typeof createSiweMessage>[0]> = {}) =>
    createSiweMessage({
      address: account.address,
      chainId: 8453,
      domain: 'api.example',
      nonce,
      uri: 'https://api.example',
      version: '1',
      issuedAt: clock.now(),
      ...extra,
    });
  return { sut, clock, message };
}

describe('WalletSignInService', () => {
  it('signs a payer in once per nonce', async () => {
    const { sut, message } = setup();
    const { nonce } = sut.createNonce();
    const text = message(nonce);
    const signature = await account.signMessage({ message: text });
    const result = await sut.signIn({ message: text, signature, role: 'payer' });
    expect(result.principal).toEqual({
      kind: 'payer',
      id: `wallet:${account.address.toLowerCase()}`,
      wallet: account.address.toLowerCase(),
    });
    await expect(sut.signIn({ message: text, signature, role: 'payer' })).rejects.toMatchObject({
      code: AuthErrorCode.SIGN_IN_REJECTED,
    });
  });

  it('refuses expired nonces, other domains and forged signatures', async () => {
    const { sut, clock, message } = setup();
    const late = sut.createNonce();
    clock.t = new Date(clock.t.getTime() + 61_000);
    const lateText = message(late.nonce);
    await expect(
      sut.signIn({ message: lateText, signature: await account.signMessage({ message: lateText }), role: 'payer' }),
    ).rejects.toThrow(/nonce/);
    const foreign = message(sut.createNonce().nonce, { domain: 'evil.example' });
    await expect(
      sut.signIn({ message: foreign, signature: await account.signMessage({ message: foreign }), role: 'payer' }),
    ).rejects.toThrow(/domain/);
    const forged = message(sut.createNonce().nonce);
    const other = privateKeyToAccount(`0x${'22'.repeat(32)}`);
    await expect(
      sut.signIn({ message: forged, signature: await other.signMessage({ message: forged }), role: 'provider' }),
    ).rejects.toThrow(/signature/);
  });
});
