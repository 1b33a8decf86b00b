import { CatalogService } from '../catalog/catalog.service';
import { InMemoryCatalogStore } from '../catalog/catalog.store';
import { BazaarMetadataValidator } from '../cataloguing/bazaar-metadata.validator';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';
import {
  FakeClock,
  FakeEventLog,
  FakeFetcher,
  options,
  paymentRequired,
  requirement,
  weatherBazaar,
} from '../testing/discovery-fakes';
import { RefreshScheduler } from './refresh.scheduler';

const URL_A = 'https://api.example.com/weather';
const MINUTE = 60_000;

describe('RefreshScheduler (fake clock, fake fetcher)', () => {
  let log: FakeEventLog;
  let clock: FakeClock;
  let fetcher: FakeFetcher;
  let catalog: CatalogService;
  let sut: RefreshScheduler;

  beforeEach(async () => {
    log = new FakeEventLog();
    clock = new FakeClock();
    fetcher = new FakeFetcher();
    const opts = options({ refresh: { intervalMs: MINUTE, goneAfterFailures: 3 } });
    catalog = new CatalogService(new InMemoryCatalogStore(), log, clock, opts);
    sut = new RefreshScheduler(catalog, fetcher, new BazaarMetadataValidator(16 * 1024), clock, opts);
    // Catalogued from a payment at 1000.
    await catalog.record({
      resourceUrl: URL_A,
      type: 'http',
      x402Version: 2,
      fetchUrl: URL_A,
      accepts: [requirement('1000')],
      acceptsMode: 'merge',
      metadata: { method: 'GET', description: 'Weather' },
      status: 'active',
      tenant: 'acme',
    });
  });
  const events = () =>
    log.records.map((e) => e.data as { accepts: { amount: string }[]; metadata: { status: string } });

  it('re-fetches due resources only, on the interval of the clock', async () => {
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['1000']));
    expect(await sut.runDue()).toEqual({ checked: 1, changed: 0, failed: 0 });
    expect(await sut.runDue()).toEqual({ checked: 0, changed: 0, failed: 0 });
    clock.advance(MINUTE - 1);
    expect((await sut.runDue()).checked).toBe(0);
    clock.advance(1);
    expect((await sut.runDue()).checked).toBe(1);
    expect(fetcher.requests).toEqual([
      { url: URL_A, method: 'GET' },
      { url: URL_A, method: 'GET' },
    ]);
    expect(log.records).toHaveLength(1);
  });

  it('a new price (and new metadata) becomes one event; the old price stays in the log', async () => {
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['2500', '3000'], { bazaar: weatherBazaar() }));
    expect(await sut.runDue()).toMatchObject({ changed: 1 });
    expect(events().map((e) => e.accepts.map((a) => a.amount))).toEqual([['1000'], ['2500', '3000']]);
    expect(catalog.get(URL_A)?.entry).toMatchObject({ description: 'Weather by city', status: 'active' });
  });

  it('failures mark the resource stale, then gone after goneAfterFailures in a row; it can come back', async () => {
    fetcher.answers.set(URL_A, new DiscoveryException(DiscoveryErrorCode.FETCH_FAILED, 'timed out after 5000 ms'));
    await sut.runDue();
    expect(catalog.get(URL_A)).toMatchObject({
      entry: { status: 'stale' },
      consecutiveFailures: 1,
      lastError: 'timed out after 5000 ms',
    });
    clock.advance(MINUTE);
    await sut.runDue();
    clock.advance(MINUTE);
    await sut.runDue();
    expect(catalog.get(URL_A)).toMatchObject({ entry: { status: 'gone' }, consecutiveFailures: 3 });
    expect(events().map((e) => e.metadata.status)).toEqual(['active', 'stale', 'gone']);
    // Gone resources are looked at 4× less often.
    clock.advance(MINUTE);
    expect((await sut.runDue()).checked).toBe(0);
    clock.advance(3 * MINUTE);
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['1000']));
    await sut.runDue();
    expect(catalog.get(URL_A)).toMatchObject({ entry: { status: 'active' }, consecutiveFailures: 0 });
  });

  it('404/410 and unpaid 2xx answers mark it gone at once; 5xx and junk 402s mark it stale', async () => {
    fetcher.answers.set(URL_A, { status: 200, headers: {}, body: 'free now' });
    await sut.refreshAll();
    expect(catalog.get(URL_A)?.entry.status).toBe('gone');
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['1000']));
    await sut.refreshAll();
    fetcher.answers.set(URL_A, { status: 402, headers: {}, body: '' });
    await sut.refreshAll();
    expect(catalog.get(URL_A)).toMatchObject({
      entry: { status: 'stale' },
      lastError: '402 without a PAYMENT-REQUIRED header',
    });
    fetcher.answers.set(URL_A, { status: 503, headers: {}, body: '' });
    await sut.refreshAll();
    expect(catalog.get(URL_A)).toMatchObject({ entry: { status: 'stale' }, consecutiveFailures: 2 });
    fetcher.answers.delete(URL_A);
    await sut.refreshAll();
    expect(catalog.get(URL_A)?.entry.status).toBe('gone');
  });

  it('invalid bazaar metadata in a 402 keeps the previous metadata but takes the prices', async () => {
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['4000'], { bazaar: { info: 1 } }));
    await sut.refreshAll();
    expect(catalog.get(URL_A)).toMatchObject({
      entry: { description: 'Weather', accepts: [{ amount: '4000' }] },
      lastError: expect.stringContaining('bazaar metadata rejected'),
    });
  });

  it('MCP tools and DELETE routes are not probed', async () => {
    await catalog.record({
      resourceUrl: 'https://api.example.com/items',
      type: 'http',
      x402Version: 2,
      fetchUrl: 'https://api.example.com/items',
      accepts: [requirement('1')],
      acceptsMode: 'merge',
      metadata: { method: 'DELETE' },
      status: 'active',
      tenant: 'acme',
    });
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['1000']));
    await sut.refreshAll();
    expect(fetcher.requests.map((r) => r.url)).toEqual([URL_A]);
  });

  it('register fetches now, catalogues a 402 resource as registered and refuses others', async () => {
    const url = 'https://other.example.com/report';
    fetcher.answers.set(url, paymentRequired(url, ['700'], { bazaar: weatherBazaar() }));
    const stored = await sut.register(`${url}?q=1`, 'beta');
    expect(stored).toMatchObject({
      entry: { resourceUrl: url, registered: true, tenant: 'beta', accepts: [{ amount: '700' }], method: 'GET' },
      lastCheckedAt: '2026-06-01T12:00:00.000Z',
      nextCheckAt: '2026-06-01T12:01:00.000Z',
    });
    await expect(sut.register('https://other.example.com/free', 'beta')).rejects.toMatchObject({
      code: DiscoveryErrorCode.REJECTED_METADATA,
    });
    fetcher.answers.set(url, paymentRequired(url, ['700'], { bazaar: { info: 1 } }));
    await expect(sut.register(url, 'beta')).rejects.toMatchObject({ code: DiscoveryErrorCode.REJECTED_METADATA });
    await expect(sut.register('ftp://x', 'beta')).rejects.toMatchObject({ code: DiscoveryErrorCode.INVALID_REQUEST });
  });

  it('one run at a time: a second runDue joins the first', async () => {
    fetcher.answers.set(URL_A, paymentRequired(URL_A, ['1000']));
    const [a, b] = await Promise.all([sut.runDue(), sut.runDue()]);
    expect(a).toBe(b);
    expect(fetcher.requests).toHaveLength(1);
  });
});
