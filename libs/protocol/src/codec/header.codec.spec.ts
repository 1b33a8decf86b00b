import { ProtocolErrorCode } from '../protocol.exception';
import { decodeJsonHeader, decodePaymentSignatureHeader, encodePaymentSignatureHeader } from './header.codec';

describe('header codec', () => {
  it('round-trips UTF-8 JSON through standard base64', () => {
    const payload = { x402Version: 2, resource: { url: 'http://x/ü' } } as never;
    const sut = encodePaymentSignatureHeader(payload);
    expect(sut).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(decodePaymentSignatureHeader(sut)).toEqual(payload);
  });

  it('rejects base64url and non-objects with INVALID_HEADER', () => {
    expect(() => decodeJsonHeader('PAYMENT-SIGNATURE', 'ab-_')).toThrow(
      expect.objectContaining({ code: ProtocolErrorCode.INVALID_HEADER }),
    );
    expect(() => decodeJsonHeader('PAYMENT-SIGNATURE', Buffer.from('[1]').toString('base64'))).toThrow(
      /not a JSON object/,
    );
  });
});
