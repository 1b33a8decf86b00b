import { EoaSignatureVerifier } from '@x402-ledger/auth';
import { privateKeyToAccount } from 'viem/accounts';
import { RefundsErrorCode } from '../refunds.exception';
import { DisputeProofVerifier, disputeProofMessage } from './dispute-proof';

const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const stranger = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const PAYMENT = 'a'.repeat(64);
const NOW = new Date('2030-01-01T00:00:00.000Z');

describe('DisputeProofVerifier', () => {
  const sut = new DisputeProofVerifier(new EoaSignatureVerifier(), { domain: 'ledger.example', maxAgeSeconds: 600 });
  const payment = { paymentId: PAYMENT, network: 'eip155:8453', payer: payer.address.toLowerCase() };

  async function proof(over: Partial<Parameters<typeof disputeProofMessage>[0]> = {}, signer = payer) {
    const message = disputeProofMessage({
      domain: 'ledger.example',
      uri: 'https://ledger.example/disputes',
      address: signer.address,
      chainId: 8453,
      paymentId: PAYMENT,
      reason: 'not_received',
      nonce: 'n0nce12345',
      issuedAt: NOW,
      ...over,
    });
    return { message, signature: await signer.signMessage({ message }) };
  }

  it('accepts the payer’s proof for this payment and reason, and returns its nonce', async () => {
    await expect(sut.verify(await proof(), payment, 'not_received', NOW)).resolves.toEqual({
      address: payer.address.toLowerCase(),
      nonce: 'n0nce12345',
    });
  });

  it.each([
    ['signed by someone else', () => proof({}, stranger)],
    ['for another payment', () => proof({ paymentId: 'b'.repeat(64) })],
    ['for another reason', () => proof({ reason: 'fraudulent' })],
    ['for another domain', () => proof({ domain: 'evil.example' })],
    ['on another chain', () => proof({ chainId: 1 })],
    ['too old', () => proof({ issuedAt: new Date(NOW.getTime() - 11 * 60_000) })],
    [
      'expired',
      () => proof({ expirationTime: new Date(NOW.getTime() - 1000), issuedAt: new Date(NOW.getTime() - 2000) }),
    ],
  ])('refuses a proof %s', async (_what, make) => {
    await expect(sut.verify(await make(), payment, 'not_received', NOW)).rejects.toMatchObject({
      code: RefundsErrorCode.PROOF_REJECTED,
    });
  });

  it('refuses a signature that is not over the message', async () => {
    const good = await proof();
    const other = await proof({ nonce: 'another123' });
    await expect(
      sut.verify({ message: good.message, signature: other.signature }, payment, 'not_received', NOW),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.PROOF_REJECTED,
    });
  });
});
