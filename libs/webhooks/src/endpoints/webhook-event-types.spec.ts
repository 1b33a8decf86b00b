import { DELIVERABLE_EVENT_TYPES, eventTypePatternProblem, matchesEventTypes } from './webhook-event-types';

describe('webhook event types', () => {
  it('offers payment, refund, dispute and session facts, not SIWx nonces', () => {
    expect(DELIVERABLE_EVENT_TYPES).toEqual(
      expect.arrayContaining(['payment.settled', 'refund.succeeded', 'dispute.lost', 'session.issued']),
    );
    expect(DELIVERABLE_EVENT_TYPES.some((t) => t.startsWith('session.nonce_') || t.startsWith('discovery.'))).toBe(
      false,
    );
  });

  it.each(['*', 'refund.*', 'payment.settled'])('accepts the pattern %s', (p) =>
    expect(eventTypePatternProblem(p)).toBeNull(),
  );
  it.each(['refund', 'tenant.*', 'refund.unknown', 'session.nonce_issued', ''])('refuses the pattern %j', (p) =>
    expect(eventTypePatternProblem(p)).not.toBeNull(),
  );

  it('matches exact types, prefixes and *', () => {
    expect(matchesEventTypes(['refund.*'], 'refund.failed')).toBe(true);
    expect(matchesEventTypes(['refund.*'], 'dispute.lost')).toBe(false);
    expect(matchesEventTypes(['payment.settled'], 'payment.verified')).toBe(false);
    expect(matchesEventTypes(['*'], 'session.used')).toBe(true);
    expect(matchesEventTypes(['*'], 'tenant.api_key_created')).toBe(false);
    expect(matchesEventTypes(['*'], 'session.nonce_consumed')).toBe(false);
  });
});
