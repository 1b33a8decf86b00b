import { declareDiscoveryExtension } from '@x402/extensions/bazaar';
import { weatherBazaar } from '../testing/discovery-fakes';
import { BazaarMetadataValidator } from './bazaar-metadata.validator';

describe('BazaarMetadataValidator', () => {
  const sut = new BazaarMetadataValidator(16 * 1024);

  it('accepts what declareDiscoveryExtension produces (query, body and MCP kinds)', () => {
    expect(sut.check(weatherBazaar())).toMatchObject({ ok: true });
    const body = declareDiscoveryExtension({ bodyType: 'json', input: { text: 'hi' } }).bazaar as unknown as {
      info: { input: Record<string, unknown> };
    };
    expect(sut.check({ ...body, info: { ...body.info, input: { ...body.info.input, method: 'POST' } } })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(
      sut.check(declareDiscoveryExtension({ toolName: 't', inputSchema: { type: 'object' } }).bazaar),
    ).toMatchObject({
      ok: true,
    });
  });

  it('rejects info that breaks its own schema, naming the path', () => {
    const ext = weatherBazaar() as { info: { input: Record<string, unknown> } };
    const result = sut.check({ ...ext, info: { ...ext.info, input: { ...ext.info.input, method: 'TRACE' } } });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/does not match its schema: \/input\/method/) });
  });

  it('rejects a bad route template, external references, wrong shapes and oversized extensions', () => {
    expect(sut.check({ ...weatherBazaar(), routeTemplate: '/a/%2e%2e/b' })).toEqual({
      ok: false,
      reason: 'bazaar routeTemplate is not a valid route template',
    });
    expect(sut.check({ ...weatherBazaar(), routeTemplate: '/users/:id' })).toMatchObject({
      ok: true,
      extension: { routeTemplate: '/users/:id' },
    });
    const ext = weatherBazaar() as { schema: Record<string, unknown> };
    expect(sut.check({ ...ext, schema: { ...ext.schema, $ref: 'https://evil.example/schema.json' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('external'),
    });
    expect(sut.check({ info: {} })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('`info` and `schema`'),
    });
    expect(sut.check('nope')).toMatchObject({ ok: false });
    expect(new BazaarMetadataValidator(300).check(weatherBazaar())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^bazaar extension is \d+ bytes, more than the 300 accepted$/),
    });
  });

  it('rejects info that passes its schema but breaks the bazaar spec', () => {
    const result = sut.check({
      info: { input: { type: 'ftp' } },
      schema: { type: 'object' },
    });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('info.input.type must be "http" or "mcp"') });
  });

  it('rejects a schema that does not compile, with a reason', () => {
    expect(sut.check({ info: { input: { type: 'http' } }, schema: { type: 'no-such-type' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('does not compile'),
    });
  });
});
