import { weatherBazaar } from '../testing/discovery-fakes';
import { acceptedPayment, extractListing } from './bazaar-extractor';
import { BazaarMetadataValidator } from './bazaar-metadata.validator';

describe('extractListing', () => {
  const validator = new BazaarMetadataValidator(16 * 1024);
  const resource = {
    url: 'https://api.example.com/weather?city=Paris#x',
    description: 'Weather',
    mimeType: 'application/json',
    serviceName: 'Example Weather',
    tags: ['weather', 'WEATHER', 'forecast', 'x'.repeat(40)],
    iconUrl: 'http://127.0.0.1/icon.png',
  };

  it('keys the listing by origin + path (query stripped) and keeps sanitised service metadata', () => {
    const sut = extractListing(resource, { bazaar: weatherBazaar(), other: { secret: 1 } }, 2, validator);
    expect(sut).toMatchObject({
      kind: 'listing',
      listing: {
        resourceUrl: 'https://api.example.com/weather',
        fetchUrl: 'https://api.example.com/weather',
        type: 'http',
        metadata: {
          description: 'Weather',
          mimeType: 'application/json',
          serviceName: 'Example Weather',
          tags: ['weather', 'forecast'],
          method: 'GET',
        },
      },
    });
    if (sut.kind !== 'listing') throw new Error('unreachable');
    expect(sut.listing.metadata.iconUrl).toBeUndefined(); // loopback icons are dropped by the SDK rules
    expect(Object.keys(sut.listing.metadata.extensions ?? {})).toEqual(['bazaar']);
  });

  it('uses a valid route template as the key and the concrete path as the fetch URL', () => {
    const sut = extractListing(
      { url: 'https://api.example.com/users/42?x=1' },
      { bazaar: { ...weatherBazaar(), routeTemplate: '/users/:userId' } },
      2,
      validator,
    );
    expect(sut).toMatchObject({
      kind: 'listing',
      listing: { resourceUrl: 'https://api.example.com/users/:userId', fetchUrl: 'https://api.example.com/users/42' },
    });
  });

  it('MCP tools are listed by tool name', () => {
    const ext = { info: { input: { type: 'mcp', toolName: 'search', inputSchema: {} } }, schema: { type: 'object' } };
    expect(extractListing({ url: 'https://mcp.example.com/mcp' }, { bazaar: ext }, 2, validator)).toMatchObject({
      kind: 'listing',
      listing: { type: 'mcp', metadata: { toolName: 'search', method: undefined } },
    });
  });

  it('is absent without a bazaar extension and rejects bad resources', () => {
    expect(extractListing(resource, { other: {} }, 2, validator)).toEqual({ kind: 'absent' });
    expect(extractListing(resource, undefined, 2, validator)).toEqual({ kind: 'absent' });
    const bazaar = { bazaar: weatherBazaar() };
    expect(extractListing(resource, bazaar, 1, validator)).toMatchObject({ kind: 'rejected' });
    expect(extractListing({ url: 'not a url' }, bazaar, 2, validator)).toMatchObject({
      kind: 'rejected',
      reason: 'resource.url is not an absolute URL',
    });
    expect(extractListing({ url: 'ftp://x.example/a' }, bazaar, 2, validator)).toMatchObject({ kind: 'rejected' });
    expect(extractListing({ url: 'https://u:p@x.example/a' }, bazaar, 2, validator)).toMatchObject({
      kind: 'rejected',
    });
    expect(extractListing({ ...resource, description: 'd'.repeat(2001) }, bazaar, 2, validator)).toMatchObject({
      kind: 'rejected',
    });
    expect(extractListing(undefined, bazaar, 2, validator)).toMatchObject({ kind: 'rejected' });
  });
});

describe('acceptedPayment', () => {
  it('keeps complete requirements and refuses incomplete or huge ones', () => {
    const ok = { scheme: 'exact', network: 'eip155:1', payTo: '0xa', amount: '1', asset: '0xb', extra: {} };
    expect(acceptedPayment(ok)).toBe(ok);
    expect(acceptedPayment({ ...ok, amount: 1 })).toBeNull();
    expect(acceptedPayment({ ...ok, extra: { pad: 'x'.repeat(5000) } })).toBeNull();
    expect(acceptedPayment(null)).toBeNull();
  });
});
