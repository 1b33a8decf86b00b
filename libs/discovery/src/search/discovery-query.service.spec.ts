import { CatalogService, type CatalogUpdate } from '../catalog/catalog.service';
import { InMemoryCatalogStore } from '../catalog/catalog.store';
import { DiscoveryErrorCode } from '../discovery.exception';
import { listQuerySchema, parseRequest, searchQuerySchema } from '../http/discovery-query.schema';
import {
  EMPTY_QUALITY,
  QualityStatsSource,
  type QualityStats,
  type QualityTarget,
} from '../quality/quality-stats.port';
import { FakeClock, FakeEventLog, options, PAY_TO, requirement } from '../testing/discovery-fakes';
import { DiscoveryQueryService } from './discovery-query.service';

class FakeQuality extends QualityStatsSource {
  calls = new Map<string, number>();
  asked: QualityTarget[][] = [];
  async statsFor(targets: readonly QualityTarget[]): Promise<Map<string, QualityStats>> {
    this.asked.push([...targets]);
    return new Map(
      targets.map((t) => [t.resourceUrl, { ...EMPTY_QUALITY, l30DaysTotalCalls: this.calls.get(t.resourceUrl) ?? 0 }]),
    );
  }
}

const OTHER = '0x3333333333333333333333333333333333333333';

describe('DiscoveryQueryService', () => {
  let clock: FakeClock;
  let catalog: CatalogService;
  let quality: FakeQuality;
  let sut: DiscoveryQueryService;

  const add = (path: string, extra: Partial<CatalogUpdate> = {}) => {
    clock.advance(1000);
    return catalog.record({
      resourceUrl: `https://api.example.com${path}`,
      type: 'http',
      x402Version: 2,
      fetchUrl: `https://api.example.com${path}`,
      accepts: [requirement('1000')],
      acceptsMode: 'replace',
      metadata: { method: 'GET' },
      status: 'active',
      tenant: 'acme',
      ...extra,
    });
  };

  beforeEach(async () => {
    clock = new FakeClock();
    catalog = new CatalogService(new InMemoryCatalogStore(), new FakeEventLog(), clock, options());
    quality = new FakeQuality();
    sut = new DiscoveryQueryService(catalog, quality, clock, options({ searchCandidates: 3 }));
    await add('/weather', { metadata: { description: 'Weather forecast by city', tags: ['weather'] } });
    await add('/weather-history', { metadata: { description: 'Historical weather archive' } });
    await add('/stocks', {
      metadata: { description: 'Stock quotes' },
      accepts: [{ ...requirement('5'), payTo: OTHER }],
    });
    await add('/gone', { metadata: { description: 'Weather gone' }, status: 'gone' });
    await add('/tool', { type: 'mcp', metadata: { toolName: 'translate', description: 'Translate text' } });
  });
  const list = (q: Record<string, string> = {}) => sut.list(parseRequest(listQuerySchema, q));
  const search = (q: Record<string, string>) => sut.search(parseRequest(searchQuerySchema, q));

  it('lists visible resources newest first with offset pagination and a total; gone ones are hidden', async () => {
    const page = await list({ limit: '2', offset: '1' });
    expect(page).toMatchObject({ x402Version: 2, pagination: { limit: 2, offset: 1, total: 4 } });
    expect(page.items.map((i) => i.resource)).toEqual([
      'https://api.example.com/stocks',
      'https://api.example.com/weather-history',
    ]);
    expect(page.items[0]).toMatchObject({
      type: 'http',
      accepts: [{ payTo: OTHER }],
      quality: { l30DaysTotalCalls: 0 },
    });
    expect(quality.asked.at(-1)).toHaveLength(2);
  });

  it('filters by type, payTo (case-insensitive), scheme, network and extensions', async () => {
    expect((await list({ type: 'mcp' })).items.map((i) => i.resource)).toEqual(['https://api.example.com/tool']);
    expect((await list({ payTo: OTHER.toUpperCase().replace('0X', '0x') })).pagination.total).toBe(1);
    expect((await list({ payTo: PAY_TO })).pagination.total).toBe(3);
    expect((await list({ network: 'eip155:1' })).pagination.total).toBe(0);
    expect((await list({ scheme: 'exact', network: 'eip155:8453' })).pagination.total).toBe(4);
    expect((await list({ extensions: 'bazaar' })).pagination.total).toBe(0);
  });

  it('search ranks by text relevance, then lifts well-used resources; filters apply', async () => {
    const plain = await search({ query: 'weather' });
    expect(plain.resources.map((r) => r.resource)).toEqual([
      'https://api.example.com/weather',
      'https://api.example.com/weather-history',
    ]);
    quality.calls.set('https://api.example.com/weather-history', 10_000);
    const lifted = await search({ query: 'weather' });
    expect(lifted.resources[0].resource).toBe('https://api.example.com/weather-history');
    expect(lifted.resources[0].quality.l30DaysTotalCalls).toBe(10_000);
    expect((await search({ query: 'weather', payTo: OTHER })).resources).toEqual([]);
    expect((await search({ query: 'quotes', payTo: OTHER })).resources).toHaveLength(1);
    expect((await search({ query: 'transl' })).resources.map((r) => r.resource)).toEqual([
      'https://api.example.com/tool',
    ]);
  });

  it('search pages with an opaque cursor and flags partial results beyond the candidate window', async () => {
    for (let i = 0; i < 3; i++) await add(`/weather-${i}`, { metadata: { description: `weather station ${i}` } });
    const first = await search({ query: 'weather', limit: '2' });
    expect(first.partialResults).toBe(true);
    expect(first.resources).toHaveLength(2);
    expect(first.pagination.cursor).toEqual(expect.any(String));
    const second = await search({ query: 'weather', limit: '2', cursor: first.pagination.cursor! });
    expect(second.resources).toHaveLength(1);
    expect(second.pagination.cursor).toBeNull();
    await expect(search({ query: 'weather', cursor: 'bm9wZQ' })).rejects.toMatchObject({
      code: DiscoveryErrorCode.INVALID_REQUEST,
    });
  });
});

describe('query parameter parsing', () => {
  it('applies the spec defaults and refuses bad values with a message naming the parameter', () => {
    expect(parseRequest(listQuerySchema, {})).toEqual({ limit: 20, offset: 0 });
    for (const bad of [
      { limit: '0' },
      { limit: '101' },
      { offset: '-1' },
      { limit: '1.5' },
      { nope: 'x' },
      { type: ['a', 'b'] },
    ])
      expect(() => parseRequest(listQuerySchema, bad)).toThrow(/limit|offset|unknown|type/);
    expect(() => parseRequest(searchQuerySchema, { query: '  ' })).toThrow('query is required');
  });
});
