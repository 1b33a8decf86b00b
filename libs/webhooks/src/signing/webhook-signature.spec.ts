import { WebhooksErrorCode } from '../webhooks.exception';
import { signWebhook, verifyWebhook, webhookSecretFromHex, WEBHOOK_HEADERS } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = webhookSecretFromHex('ab'.repeat(32));
  const body = JSON.stringify({ id: 'e'.repeat(64), type: 'refund.succeeded', data: { amount: '1' } });
  const at = new Date('2030-01-01T00:00:00.000Z');
  const timestamp = Math.floor(at.getTime() / 1000);
  const headers = (signature = signWebhook({ secret, id: 'd1', timestamp, body })) => ({
    [WEBHOOK_HEADERS.id]: 'd1',
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signature,
  });

  it('matches the Standard Webhooks construction (HMAC-SHA256 of id.timestamp.body, base64)', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const expected = createHmac('sha256', Buffer.from('ab'.repeat(32), 'hex'))
      .update(`d1.${timestamp}.${body}`)
      .digest('base64');
    expect(signWebhook({ secret, id: 'd1', timestamp, body })).toBe(`v1,${expected}`);
    expect(secret.startsWith('whsec_')).toBe(true);
  });

  it('verifies a genuine delivery and returns its event', () => {
    const sut = verifyWebhook({ secret, headers: headers(), body, now: at });
    expect(sut).toMatchObject({
      deliveryId: 'd1',
      timestamp,
      event: { type: 'refund.succeeded', data: { amount: '1' } },
    });
  });

  it('accepts any of several signatures (secret rotation) and header names in any case', () => {
    const other = signWebhook({ secret: webhookSecretFromHex('cd'.repeat(32)), id: 'd1', timestamp, body });
    const mixed = Object.fromEntries(
      Object.entries(headers(`${other} ${signWebhook({ secret, id: 'd1', timestamp, body })}`)).map(([k, v]) => [
        k.toUpperCase(),
        v,
      ]),
    );
    expect(verifyWebhook({ secret, headers: mixed, body, now: at }).deliveryId).toBe('d1');
  });

  it.each([
    ['a tampered body', { body: body.replace('"1"', '"2"') }, WebhooksErrorCode.SIGNATURE_INVALID],
    ['another secret', { secret: webhookSecretFromHex('cd'.repeat(32)) }, WebhooksErrorCode.SIGNATURE_INVALID],
    [
      'another delivery id',
      { headers: { ...headers(), [WEBHOOK_HEADERS.id]: 'd2' } },
      WebhooksErrorCode.SIGNATURE_INVALID,
    ],
    [
      'a replay 6 minutes later',
      { now: new Date(at.getTime() + 6 * 60_000) },
      WebhooksErrorCode.TIMESTAMP_OUT_OF_TOLERANCE,
    ],
    [
      'a timestamp from the future',
      { now: new Date(at.getTime() - 6 * 60_000) },
      WebhooksErrorCode.TIMESTAMP_OUT_OF_TOLERANCE,
    ],
    [
      'no signature header',
      { headers: { [WEBHOOK_HEADERS.id]: 'd1', [WEBHOOK_HEADERS.timestamp]: String(timestamp) } },
      WebhooksErrorCode.MISSING_HEADERS,
    ],
    [
      'a malformed timestamp',
      { headers: { ...headers(), [WEBHOOK_HEADERS.timestamp]: '12a' } },
      WebhooksErrorCode.MISSING_HEADERS,
    ],
  ])('refuses %s', (_what, change, code) => {
    const input = { secret, headers: headers(), body, now: at, ...change };
    expect(() => verifyWebhook(input)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a signed body that is not an event', () => {
    const notEvent = '[1,2]';
    const h = { ...headers(signWebhook({ secret, id: 'd1', timestamp, body: notEvent })) };
    expect(() => verifyWebhook({ secret, headers: h, body: notEvent, now: at })).toThrow(
      expect.objectContaining({ code: WebhooksErrorCode.MALFORMED_BODY }),
    );
  });
});
