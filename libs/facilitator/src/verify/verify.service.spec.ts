import { ExactEvmErrorCode, signEip3009Request, signPermit2Request } from '@x402-ledger/evm';
import { EvmReason, GenericReason, type FacilitatorRequestV2, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { FacilitatorErrorCode } from '../facilitator.exception';
import { facilitatorHarness, PAY_TO, TOKEN } from '../testing/facilitator-harness';

const DEV = { tenant: 'dev', keyId: 'k1' };
const OTHER = { tenant: 'acme', keyId: 'k2' };

describe('VerifyService', () => {
  const buyer = privateKeyToAccount(generatePrivateKey());
  const requirements: PaymentRequirementsV2 = {
    scheme: 'exact',
    network: 'eip155:31337',
    amount: '1000',
    asset: TOKEN,
    payTo: PAY_TO,
    maxTimeoutSeconds: 300,
    extra: { name: 'USD Coin', version: '2' },
  };
  let h: ReturnType<typeof facilitatorHarness>;
  const sign = (extra: Partial<Parameters<typeof signEip3009Request>[0]> = {}) =>
    signEip3009Request({ account: buyer, requirements, chainId: 31337, ...extra });

  beforeEach(() => {
    h = facilitatorHarness();
    h.token.balances.set(buyer.address.toLowerCase(), 1_000_000n);
  });

  it('reserves a valid payment: payment.verified on the log before the answer, then refuses every copy', async () => {
    const request = await sign();
    const sut = h.verify;
    expect(await sut.verify(request, DEV, 'c1')).toEqual({ isValid: true, payer: buyer.address });
    expect(h.log.types()).toEqual(['payment.verified']);
    expect(h.log.records[0]).toMatchObject({
      tenant: 'dev',
      correlationId: 'c1',
      sequence: 1,
      data: {
        amount: '1000',
        payer: buyer.address,
        payTo: PAY_TO,
        signatureKind: 'eoa',
        assetTransferMethod: 'eip3009',
        x402Version: 2,
      },
    });
    const copies = await Promise.all([sut.verify(request, DEV, 'c2'), sut.verify(request, OTHER, 'c3')]);
    expect(copies.map((c) => c.invalidReason)).toEqual([EvmReason.NonceAlreadyUsed, EvmReason.NonceAlreadyUsed]);
    expect(h.log.types()).toEqual(['payment.verified']);
  });

  it('answers 64 concurrent copies with exactly one isValid:true', async () => {
    const request = await sign();
    const answers = await Promise.all(Array.from({ length: 64 }, (_, i) => h.verify.verify(request, DEV, `c${i}`)));
    expect(answers.filter((a) => a.isValid)).toHaveLength(1);
    expect(h.log.types()).toEqual(['payment.verified']);
  });

  it('records a failed verification with the SDK reason and keeps answering it', async () => {
    const request = await sign({ authorization: { value: '999' } });
    const answer = await h.verify.verify(request, DEV, 'c1');
    expect(answer).toMatchObject({
      isValid: false,
      invalidReason: EvmReason.AuthorizationValueMismatch,
      payer: buyer.address,
    });
    expect(h.log.records.map((r) => [r.type, r.data.reason])).toEqual([
      ['payment.verification_failed', EvmReason.AuthorizationValueMismatch],
    ]);
  });

  it("does not write on another tenant's payment stream", async () => {
    // acme's failed verification opens the payment's stream; dev's verdict on the same payload is not recorded there.
    const expired = await sign({ authorization: { validBefore: '1' } });
    await h.verify.verify(expired, OTHER, 'c2');
    expect(await h.verify.verify(expired, DEV, 'c3')).toMatchObject({
      isValid: false,
      invalidReason: EvmReason.ValidBeforeExpired,
    });
    const expiredStream = h.log.records.filter((r) => r.data.reason === EvmReason.ValidBeforeExpired);
    expect(expiredStream.map((r) => r.tenant)).toEqual(['acme']);
  });

  it.each([
    [
      'an unknown scheme',
      (r: FacilitatorRequestV2) => {
        r.paymentRequirements.scheme = 'upto';
      },
      GenericReason.UnsupportedScheme,
    ],
    [
      'an unconfigured network',
      (r: FacilitatorRequestV2) => {
        r.paymentRequirements.network = 'eip155:1';
      },
      GenericReason.InvalidNetwork,
    ],
  ])('answers %s with isValid:false and records nothing', async (_case, mutate, reason) => {
    const request = await sign();
    mutate(request);
    expect(await h.verify.verify(request, DEV, 'c')).toMatchObject({ isValid: false, invalidReason: reason });
    expect(h.log.records).toHaveLength(0);
  });

  it('verifies a Permit2 payload (dispatched by shape), records assetTransferMethod permit2 and the decimal nonce', async () => {
    const permit2Requirements = { ...requirements, extra: { assetTransferMethod: 'permit2' } };
    h.chain.approvePermit2(TOKEN, buyer.address, 10n ** 30n);
    const request = await signPermit2Request({
      account: buyer,
      requirements: permit2Requirements,
      chainId: 31337,
      authorization: { nonce: '0x2a' },
    });
    expect(await h.verify.verify(request, DEV, 'c1')).toEqual({ isValid: true, payer: buyer.address });
    expect(h.log.records[0]).toMatchObject({
      type: 'payment.verified',
      data: { assetTransferMethod: 'permit2', signatureKind: 'eoa', nonce: '42', payer: buyer.address, amount: '1000' },
    });
    // The same payment written with the nonce in decimal is the same payment: refused while reserved.
    const copy = await signPermit2Request({
      account: buyer,
      requirements: permit2Requirements,
      chainId: 31337,
      authorization: { nonce: '42' },
    });
    expect(await h.verify.verify(copy, DEV, 'c2')).toMatchObject({ invalidReason: EvmReason.NonceAlreadyUsed });
  });

  it('answers permit2_allowance_required with isValid:false (the SDK middleware makes it a 412)', async () => {
    const request = await signPermit2Request({
      account: buyer,
      requirements: { ...requirements, extra: { assetTransferMethod: 'permit2' } },
      chainId: 31337,
    });
    expect(await h.verify.verify(request, DEV, 'c1')).toEqual({
      isValid: false,
      invalidReason: 'permit2_allowance_required',
      payer: buyer.address,
      invalidMessage: expect.any(String),
    });
    expect(h.log.records.map((r) => [r.type, r.data.reason])).toEqual([
      ['payment.verification_failed', 'permit2_allowance_required'],
    ]);
  });

  it('rejects a malformed Permit2 payload as a bad request', async () => {
    const request = await sign();
    (request.paymentPayload.payload as Record<string, unknown>).permit2Authorization = {};
    await expect(h.verify.verify(request, DEV, 'c')).rejects.toMatchObject({ code: ExactEvmErrorCode.INVALID_PAYLOAD });
    expect(h.log.records).toHaveLength(0);
  });

  it('never answers isValid:true when the fact could not be made durable', async () => {
    const request = await sign();
    h.log.failNext = 1;
    await expect(h.verify.verify(request, DEV, 'c')).rejects.toMatchObject({ code: FacilitatorErrorCode.NOT_RECORDED });
    expect(await h.verify.verify(request, DEV, 'c')).toEqual({ isValid: true, payer: buyer.address });
  });

  it("accepts V1 bodies under the network's V1 name", async () => {
    const request = await sign();
    const v1 = {
      x402Version: 1,
      paymentPayload: { x402Version: 1, scheme: 'exact', network: 'hardhat', payload: request.paymentPayload.payload },
      paymentRequirements: {
        ...requirements,
        network: 'hardhat',
        maxAmountRequired: '1000',
        resource: 'http://r',
        description: 'd',
      },
    };
    expect(await h.verify.verify(v1, DEV, 'c')).toEqual({ isValid: true, payer: buyer.address });
    expect(h.log.records[0].data).toMatchObject({ x402Version: 1, network: 'eip155:31337', resourceUrl: 'http://r' });
  });

  it('binds payment-identifier ids per tenant: same id with another payload is a conflict', async () => {
    const withId = async (id: string) => {
      const r = await sign();
      r.paymentPayload.extensions = { 'payment-identifier': { info: { required: false, id } } };
      return r;
    };
    const id = `pay_${'0f'.repeat(16)}`;
    const first = await withId(id);
    expect((await h.verify.verify(first, DEV, 'c')).isValid).toBe(true);
    expect((await h.verify.verify(first, DEV, 'c')).invalidReason).toBe(EvmReason.NonceAlreadyUsed);
    await expect(h.verify.verify(await withId(id), DEV, 'c')).rejects.toMatchObject({
      code: FacilitatorErrorCode.PAYMENT_IDENTIFIER_CONFLICT,
    });
    expect((await h.verify.verify(await withId(id), OTHER, 'c')).isValid).toBe(true);
  });
});
