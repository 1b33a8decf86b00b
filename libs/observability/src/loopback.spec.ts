import { isLoopbackAddress } from './loopback';

describe('isLoopbackAddress', () => {
  it('accepts the loopback forms a socket reports and nothing else', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '', undefined, null])
      expect(isLoopbackAddress(a)).toBe(false);
  });
});
