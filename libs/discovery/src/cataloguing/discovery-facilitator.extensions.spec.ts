import { Logger } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service';
import { InMemoryCatalogStore } from '../catalog/catalog.store';
import { FakeClock, FakeEventLog, options, requirement, weatherBazaar } from '../testing/discovery-fakes';
import { BazaarMetadataValidator } from './bazaar-metadata.validator';
import { DiscoveryFacilitatorExtensions } from './discovery-facilitator.extensions';

describe('DiscoveryFacilitatorExtensions', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  let log: FakeEventLog;
  let catalog: CatalogService;
  let sut: DiscoveryFacilitatorExtensions;
  beforeEach(() => {
    log = new FakeEventLog();
    catalog = new CatalogService(new InMemoryCatalogStore(), log, new FakeClock(), options());
    sut = new DiscoveryFacilitatorExtensions(catalog, new BazaarMetadataValidator(16 * 1024));
  });
  const body = (bazaar: unknown, amount = '1000') => ({
    x402Version: 2,
    paymentPayload: {
      x402Version: 2,
      resource: { url: 'https://api.example.com/weather?city=Paris', description: 'Weather' },
      accepted: requirement(amount),
      payload: {},
      extensions: bazaar === undefined ? {} : { bazaar },
    },
    paymentRequirements: requirement(amount),
  });
  const call = (b: unknown, accepted = true) =>
    ({ route: 'verify', body: b, accepted, tenant: 'acme', correlationId: 'c1' }) as const;

  it('catalogues a valid payload and answers success', async () => {
    expect(await sut.afterAnswer(call(body(weatherBazaar())))).toEqual({ bazaar: { status: 'success' } });
    expect(catalog.get('https://api.example.com/weather')?.entry).toMatchObject({
      accepts: [requirement('1000')],
      method: 'GET',
      tenant: 'acme',
    });
    expect(log.records[0].correlationId).toBe('c1');
  });

  it('reports nothing without a bazaar extension', async () => {
    expect(await sut.afterAnswer(call(body(undefined)))).toEqual({});
    expect(await sut.afterAnswer(call('garbage'))).toEqual({});
  });

  it('rejects invalid metadata or an invalid payment with a reason and catalogues nothing', async () => {
    const bad = { ...weatherBazaar(), routeTemplate: '/../x' };
    expect(await sut.afterAnswer(call(body(bad)))).toEqual({
      bazaar: { status: 'rejected', rejectedReason: 'bazaar routeTemplate is not a valid route template' },
    });
    expect(await sut.afterAnswer(call(body(weatherBazaar()), false))).toEqual({
      bazaar: { status: 'rejected', rejectedReason: 'payment not valid' },
    });
    expect(catalog.all()).toEqual([]);
    expect(log.records).toEqual([]);
  });

  it('answers rejected (not an error) when the catalog cannot record', async () => {
    log.failAppends = true;
    expect(await sut.afterAnswer(call(body(weatherBazaar())))).toEqual({
      bazaar: { status: 'rejected', rejectedReason: 'catalog unavailable, try again later' },
    });
  });

  it('implements the bazaar key', () => {
    expect(sut.keys()).toEqual(['bazaar']);
  });

  it('headerFor encodes the responses as base64 JSON', async () => {
    const header = await sut.headerFor(call(body(weatherBazaar())));
    expect(JSON.parse(Buffer.from(header!, 'base64').toString())).toEqual({ bazaar: { status: 'success' } });
    expect(await sut.headerFor(call(body(undefined)))).toBeNull();
  });
});
