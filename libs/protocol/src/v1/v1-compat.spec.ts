import { ProtocolErrorCode } from '../protocol.exception';
import { caip2ToV1Network, liftV1Request, v1NetworkToCaip2 } from './v1-compat';

describe('V1 ↔ V2', () => {
  it('maps V1 names with the SDK table and custom aliases', () => {
    expect(v1NetworkToCaip2('base-sepolia')).toBe('eip155:84532');
    expect(v1NetworkToCaip2('base')).toBe('eip155:8453');
    expect(v1NetworkToCaip2('hardhat')).toBeNull();
    expect(v1NetworkToCaip2('hardhat', { hardhat: 'eip155:31337' })).toBe('eip155:31337');
    expect(caip2ToV1Network('eip155:84532')).toBe('base-sepolia');
    expect(caip2ToV1Network('eip155:31337', { hardhat: 'eip155:31337' })).toBe('hardhat');
  });

  it('lifts a V1 request into the V2 shape', () => {
    const sut = liftV1Request({
      x402Version: 1,
      paymentPayload: { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: { signature: '0x' } },
      paymentRequirements: {
        scheme: 'exact',
        network: 'base-sepolia',
        maxAmountRequired: '1000',
        resource: 'http://127.0.0.1/r',
        description: 'd',
        payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
        maxTimeoutSeconds: 60,
        asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
        extra: { name: 'USDC', version: '2' },
      },
    });
    expect(sut.v1Network).toBe('base-sepolia');
    expect(sut.request.paymentRequirements).toEqual({
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '1000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    });
    expect(sut.request.paymentPayload.accepted).toEqual(sut.request.paymentPayload.accepted);
    expect(sut.request.paymentPayload.accepted.network).toBe('eip155:84532');
    expect(sut.request.paymentPayload.resource?.url).toBe('http://127.0.0.1/r');
    expect(sut.request.paymentPayload.x402Version).toBe(1);
  });

  it('refuses unknown V1 networks', () => {
    expect(() =>
      liftV1Request({
        x402Version: 1,
        paymentPayload: { x402Version: 1, scheme: 'exact', network: 'nowhere', payload: {} },
        paymentRequirements: {
          scheme: 'exact',
          network: 'nowhere',
          maxAmountRequired: '1',
          resource: 'r',
          description: 'd',
          payTo: '0x0',
          maxTimeoutSeconds: 1,
          asset: '0x0',
        },
      }),
    ).toThrow(expect.objectContaining({ code: ProtocolErrorCode.UNKNOWN_V1_NETWORK }));
  });
});
