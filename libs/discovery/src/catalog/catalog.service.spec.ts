import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoveryStreamId, eventId } from '@x402-ledger/ledger';
import { FakeClock, FakeEventLog, options, requirement } from '../testing/discovery-fakes';
import { CatalogService, mergeAccepts, type CatalogUpdate } from './catalog.service';
import { InMemoryCatalogStore } from './catalog.store';
import { LmdbCatalogStore } from './lmdb-catalog.store';

const URL_A = 'https://api.example.com/weather';
const update = (amount: string, extra: Partial<CatalogUpdate> = {}): CatalogUpdate => ({
  resourceUrl: URL_A,
  type: 'http',
  x402Version: 2,
  fetchUrl: URL_A,
  accepts: [requirement(amount)],
  acceptsMode: 'merge',
  metadata: { description: 'Weather', method: 'GET' },
  status: 'active',
  tenant: 'acme',
  ...extra,
});

describe('CatalogService', () => {
  let log: FakeEventLog;
  let clock: FakeClock;
  let sut: CatalogService;
  beforeEach(() => {
    log = new FakeEventLog();
    clock = new FakeClock();
    sut = new CatalogService(new InMemoryCatalogStore(), log, clock, options());
  });

  it('appends a discovery.resource_updated event per change and none for an unchanged observation', async () => {
    expect(await sut.record(update('1000'))).toMatchObject({ changed: true, stored: { sequence: 1 } });
    clock.advance(1000);
    expect(await sut.record(update('1000'))).toMatchObject({ changed: false, stored: { sequence: 1 } });
    expect(await sut.record(update('2000'))).toMatchObject({ changed: true, stored: { sequence: 2 } });
    expect(log.records.map((e) => [e.type, e.streamType, e.sequence, e.tenant])).toEqual([
      ['discovery.resource_updated', 'discovery', 1, 'acme'],
      ['discovery.resource_updated', 'discovery', 2, 'acme'],
    ]);
    expect(log.records[1].id).toBe(eventId(discoveryStreamId(URL_A), 'discovery.resource_updated', 2));
    expect(log.records[1].data).toMatchObject({
      resourceUrl: URL_A,
      type: 'http',
      accepts: [{ amount: '2000' }],
      metadata: { description: 'Weather', status: 'active', x402Version: 2, fetchUrl: URL_A, registered: false },
      lastUpdated: '2026-06-01T12:00:01.000Z',
    });
  });

  it('a status change alone is a change; concurrent writers of one resource get consecutive sequences', async () => {
    await sut.record(update('1000'));
    await Promise.all([sut.record(update('1000', { status: 'stale' })), sut.record(update('3000'))]);
    expect(log.records.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it('nothing is stored when the append fails', async () => {
    log.failAppends = true;
    await expect(sut.record(update('1000'))).rejects.toThrow('log down');
    expect(sut.get(URL_A)).toBeUndefined();
  });

  it('catchUp rebuilds an empty read model from the log, and is incremental afterwards', async () => {
    await sut.record(update('1000'));
    await sut.record(update('2000', { acceptsMode: 'replace' }));
    const rebuilt = new CatalogService(new InMemoryCatalogStore(), log, clock, options());
    expect(await rebuilt.catchUp()).toBe(2);
    expect(rebuilt.get(URL_A)).toMatchObject({
      sequence: 2,
      entry: { accepts: [{ amount: '2000' }], tenant: 'acme', description: 'Weather' },
      contentHash: sut.get(URL_A)!.contentHash,
    });
    expect(await rebuilt.catchUp()).toBe(0);
  });

  it('LMDB keeps entries and the checkpoint across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-catalog-'));
    try {
      const store = new LmdbCatalogStore(dir);
      const first = new CatalogService(store, log, clock, options());
      await first.record(update('1000'));
      await first.catchUp();
      await store.close();
      const reopened = new LmdbCatalogStore(dir);
      expect(reopened.get(URL_A)?.entry.accepts).toEqual([requirement('1000')]);
      expect(reopened.checkpoint()).toEqual([{ partition: 0, offset: '1' }]);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mergeAccepts', () => {
  it('replaces the option with the same scheme/network/asset/payTo, appends others', () => {
    const other = { ...requirement('5'), payTo: '0x3333333333333333333333333333333333333333' };
    expect(
      mergeAccepts([requirement('1'), other], [{ ...requirement('2'), payTo: requirement('2').payTo.toUpperCase() }]),
    ).toEqual([{ ...requirement('2'), payTo: requirement('2').payTo.toUpperCase() }, other]);
    expect(mergeAccepts([requirement('1')], [other])).toEqual([requirement('1'), other]);
  });
});
