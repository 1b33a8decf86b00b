import { createHash } from 'node:crypto';

import { expectLedgerError } from '../testing/ledger-test-data';
import {
  discoveryStreamId,
  disputeId,
  eventId,
  nonceStreamId,
  paymentId,
  rawPayloadStreamId,
  refundId,
  sessionId,
} from './ledger-ids.util';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('ledger ids', () => {
  const input = {
    network: 'eip155:8453',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    payer: '0x109e5E0a5D2A4C5b1f2E3D4c5B6a7980A1b2C3d4',
    nonce: '0xABCDEF0000000000000000000000000000000000000000000000000000000001',
  };

  it('derives paymentId = sha256(network|asset|payer|nonce) with lowercased parts', () => {
    const sut = paymentId(input);
    expect(sut).toBe(
      sha(
        'eip155:8453|0x833589fcd6edb6e08f4c7c32d4f71b54bda02913|0x109e5e0a5d2a4c5b1f2e3d4c5b6a7980a1b2c3d4|0xabcdef0000000000000000000000000000000000000000000000000000000001',
      ),
    );
    expect(sut).toMatch(/^[0-9a-f]{64}$/);
    expect(
      paymentId({ ...input, payer: input.payer.toLowerCase(), asset: input.asset.toUpperCase().replace('0X', '0x') }),
    ).toBe(sut);
    expect(paymentId({ ...input, nonce: '12345678901234567890' })).not.toBe(sut);
  });

  it('pins the id formulas to stored vectors', () => {
    expect(paymentId({ network: 'eip155:1', asset: '0xA', payer: '0xB', nonce: '7' })).toBe(
      '711b514584993d170f2a3597d305a333a1ac8d04f3445b03883316b702eb9771',
    );
    expect(eventId('stream-1', 'payment.settled', 1)).toBe(
      '19c80affa7f8a8d792856933b1f72363250958ff53efff8e90107b91284a1963',
    );
  });

  it('derives eventId = sha256(streamId|type|sequence)', () => {
    expect(eventId('abc', 'payment.settled', 3)).toBe(sha('abc|payment.settled|3'));
    expect(eventId('abc', 'payment.settled', 3)).toBe(eventId('abc', 'payment.settled', 3));
    expect(eventId('abc', 'payment.settled', 4)).not.toBe(eventId('abc', 'payment.settled', 3));
    expectLedgerError(() => eventId('abc', 'payment.settled', 0), 'INVALID_ID_INPUT');
    expectLedgerError(() => eventId('abc', 'payment.settled', 1.5), 'INVALID_ID_INPUT');
    expectLedgerError(() => eventId('a|b', 'payment.settled', 1), 'INVALID_ID_INPUT');
  });

  it('derives refund, dispute and session ids from idempotency keys', () => {
    const p = paymentId(input);
    expect(refundId({ paymentId: p, idempotencyKey: 'k1' })).toBe(sha(`refund|${p}|k1`));
    expect(disputeId({ paymentId: p, idempotencyKey: 'k1' })).toBe(sha(`dispute|${p}|k1`));
    expect(refundId({ paymentId: p, idempotencyKey: 'k1' })).not.toBe(
      disputeId({ paymentId: p, idempotencyKey: 'k1' }),
    );
    expect(refundId({ paymentId: p, idempotencyKey: 'a|b' })).toBe(sha(`refund|${p}|a|b`));
    expect(sessionId({ paymentId: p, wallet: input.payer, nonce: 'AbC123xyz' })).toBe(
      sha(`session|${p}|${input.payer.toLowerCase()}|abc123xyz`),
    );
    expectLedgerError(() => refundId({ paymentId: p, idempotencyKey: '' }), 'INVALID_ID_INPUT');
    expectLedgerError(() => paymentId({ ...input, network: '' }), 'INVALID_ID_INPUT');
  });

  it('derives stream ids of nonces, discovery resources and raw payloads', () => {
    expect(nonceStreamId('AbC12345')).toBe(sha('nonce|abc12345'));
    expect(discoveryStreamId('https://x.example/a?b=1|2')).toBe(sha('discovery|https://x.example/a?b=1|2'));
    expect(rawPayloadStreamId('{"x":1}')).toBe(sha('{"x":1}'));
    expect(rawPayloadStreamId(Buffer.from('{"x":1}'))).toBe(sha('{"x":1}'));
  });
});
