import { ProtocolErrorCode, ProtocolException } from '../protocol.exception';
import { parseFacilitatorRequest } from './parse-facilitator-request';
import { SettleResponseSchema, VerifyResponseSchema } from './wire.schemas';

const requirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
};
const payload = {
  x402Version: 2,
  payload: { authorization: { from: '0x1', to: '0x2' }, signature: '0x' },
  resource: { url: 'http://127.0.0.1:4021/weather', description: null },
  accepted: requirements,
};

function thrown(fn: () => unknown): ProtocolException {
  try {
    fn();
  } catch (e) {
    return e as ProtocolException;
  }
  throw new Error('expected a throw');
}

describe('parseFacilitatorRequest', () => {
  it('accepts the body HTTPFacilitatorClient sends and normalizes nulls like the SDK schemas', () => {
    const sut = parseFacilitatorRequest({ x402Version: 2, paymentPayload: payload, paymentRequirements: requirements });
    if (sut.x402Version !== 2) throw new Error('expected a V2 request');
    expect(sut.paymentPayload.resource).toEqual({ url: 'http://127.0.0.1:4021/weather' });
    expect(sut.paymentRequirements.amount).toBe('1000');
  });

  it('accepts V1 bodies', () => {
    const sut = parseFacilitatorRequest({
      x402Version: 1,
      paymentPayload: { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: {} },
      paymentRequirements: {
        scheme: 'exact',
        network: 'base-sepolia',
        maxAmountRequired: '5',
        resource: 'http://x/y',
        description: 'd',
        payTo: requirements.payTo,
        maxTimeoutSeconds: 60,
        asset: requirements.asset,
      },
    });
    expect(sut.x402Version).toBe(1);
  });

  it.each([
    ['not an object', 'hello', /\(body\)/],
    ['missing paymentRequirements', { paymentPayload: payload }, /paymentRequirements: Required/],
    [
      'a V2 payload without accepted',
      { paymentPayload: { ...payload, accepted: undefined }, paymentRequirements: requirements },
      /paymentPayload\.accepted: Required/,
    ],
    [
      'a bad network',
      { paymentPayload: payload, paymentRequirements: { ...requirements, network: 'base' } },
      /paymentRequirements\.network/,
    ],
    [
      'a negative timeout',
      { paymentPayload: payload, paymentRequirements: { ...requirements, maxTimeoutSeconds: -1 } },
      /maxTimeoutSeconds/,
    ],
  ])('rejects %s with a message that names the field', (_case, body, message) => {
    const sut = thrown(() => parseFacilitatorRequest(body));
    expect(sut).toBeInstanceOf(ProtocolException);
    expect(sut.code).toBe(ProtocolErrorCode.INVALID_REQUEST);
    expect(sut.message).toMatch(message);
  });

  it('rejects unknown versions with UNSUPPORTED_VERSION', () => {
    const sut = thrown(() =>
      parseFacilitatorRequest({ paymentPayload: { ...payload, x402Version: 3 }, paymentRequirements: requirements }),
    );
    expect(sut.code).toBe(ProtocolErrorCode.UNSUPPORTED_VERSION);
    expect(sut.message).toContain('got 3');
  });
});

describe('response schemas mirror HTTPFacilitatorClient', () => {
  it('reject a settle failure without transaction (the SDK answers the buyer 502 for that)', () => {
    expect(SettleResponseSchema.safeParse({ success: false, errorReason: 'x', network: 'eip155:1' }).success).toBe(
      false,
    );
    expect(
      SettleResponseSchema.safeParse({ success: false, errorReason: 'x', network: 'eip155:1', transaction: '' })
        .success,
    ).toBe(true);
  });

  it('accept nulls for optional verify fields', () => {
    const sut = VerifyResponseSchema.parse({ isValid: false, invalidReason: 'r', invalidMessage: null, payer: null });
    expect(sut).toEqual({ isValid: false, invalidReason: 'r' });
  });
});
