import { readFileSync } from 'node:fs';
import { EvmReason } from './reason-codes';

describe('EvmReason', () => {
  // The SDK is the source of truth: its `errors.ts` ships inside the bundle's source map (sourcesContent).
  const map = JSON.parse(readFileSync(`${require.resolve('@x402/evm/exact/facilitator')}.map`, 'utf8')) as {
    sources: string[];
    sourcesContent: string[];
  };
  const errorsTs = map.sourcesContent[map.sources.findIndex((s) => s.endsWith('exact/facilitator/errors.ts'))];

  it('finds the SDK errors.ts', () => {
    expect(errorsTs).toContain('must be character-for-character identical');
  });

  it.each(Object.entries(EvmReason))('%s is the SDK string %s, verbatim', (_name, code) => {
    const sut = `"${code}"`;
    expect(errorsTs).toContain(sut);
  });
});
