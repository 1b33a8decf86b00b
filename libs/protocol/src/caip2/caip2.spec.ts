import { caipFamily, eip155ChainId, isCaip2, matchesNetworkPattern, parseCaip2 } from './caip2';

describe('CAIP-2', () => {
  it('parses concrete ids and refuses wildcards and junk', () => {
    expect(parseCaip2('eip155:8453')).toEqual({ namespace: 'eip155', reference: '8453' });
    expect(parseCaip2('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')?.namespace).toBe('solana');
    expect(parseCaip2('eip155:*')).toBeNull();
    expect(isCaip2('base')).toBe(false);
  });

  it('extracts eip155 chain ids like @x402/evm getEvmChainId', () => {
    expect(eip155ChainId('eip155:31337')).toBe(31337);
    expect(eip155ChainId('eip155:0x1')).toBeNull();
    expect(eip155ChainId('solana:1')).toBeNull();
    expect(eip155ChainId('eip155:99999999999999999999')).toBeNull();
  });

  it('matches family patterns', () => {
    expect(caipFamily('eip155:8453')).toBe('eip155:*');
    expect(matchesNetworkPattern('eip155:*', 'eip155:1')).toBe(true);
    expect(matchesNetworkPattern('eip155:1', 'eip155:2')).toBe(false);
  });
});
