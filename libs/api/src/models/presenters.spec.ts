import { checksum, formatAmount } from './presenters';

describe('formatAmount', () => {
  it.each([
    ['1500000', 6, '1.5'],
    ['1000000', 6, '1'],
    ['1', 6, '0.000001'],
    ['0', 6, '0'],
    ['-2500000', 6, '-2.5'],
    ['123', 0, '123'],
    [
      '115792089237316195423570985008687907853269984665640564039457584007913129639935',
      18,
      '115792089237316195423570985008687907853269984665640564039457.584007913129639935',
    ],
  ])('%s with %i decimals is %s', (atomic, decimals, expected) => {
    expect(formatAmount(atomic, decimals)).toBe(expected);
  });

  it('is null when decimals are unknown or the amount is not an integer', () => {
    expect(formatAmount('1', null)).toBeNull();
    expect(formatAmount('1.5', 6)).toBeNull();
  });
});

describe('checksum', () => {
  it('checksums lowercase addresses and passes null through', () => {
    expect(checksum('0x209693bc6afc0c5328ba36faf03c514ef312287c')).toBe('0x209693Bc6afc0C5328bA36FaF03C514EF312287C');
    expect(checksum(null)).toBeNull();
    expect(checksum('')).toBeNull();
  });
});
