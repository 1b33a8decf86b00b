import { deriveStatus } from './payments.reader';

describe('deriveStatus', () => {
  it('maps pre-settlement statuses', () => {
    expect(deriveStatus('verified', '0', '10', null)).toBe('verified');
    expect(deriveStatus('submitted', '0', '10', null)).toBe('settlement_submitted');
    expect(deriveStatus('settlement_failed', '0', '10', null)).toBe('settlement_failed');
  });

  it('derives settled statuses from refunds and disputes as the ledger does', () => {
    expect(deriveStatus('settled', '0', '10', null)).toBe('settled');
    expect(deriveStatus('settled', '4', '10', null)).toBe('partially_refunded');
    expect(deriveStatus('settled', '10', '10', null)).toBe('refunded');
    expect(deriveStatus('settled', '0', '10', 'open')).toBe('disputed');
    expect(deriveStatus('settled', '0', '10', 'under_review')).toBe('disputed');
    expect(deriveStatus('settled', '0', '10', 'lost')).toBe('disputed');
    expect(deriveStatus('settled', '10', '10', 'lost')).toBe('refunded');
    expect(deriveStatus('settled', '0', '10', 'won')).toBe('settled');
  });
});
