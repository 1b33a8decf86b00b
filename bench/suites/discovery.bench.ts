import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalyticsClient, MigrationRunner } from '@x402-ledger/analytics';
import {
  CatalogService,
  ClickHouseQualityStats,
  DiscoveryQueryService,
  InMemoryCatalogStore,
  NoQualityStats,
  parseDiscoveryOptions,
  type QualityStatsSource,
} from '@x402-ledger/discovery';
import { LmdbEventLog, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';
import { Clock } from '@x402-ledger/ledger';

/**
 * Discovery read-path benchmark over N catalogued resources (10k; 2k with --quick), catalogued through the real
 * CatalogService (events appended to an embedded log):
 * - list: GET /discovery/resources work (filters + page of 20 + quality lookup), p50/p99 ms, with and without a
 *   payTo filter;
 * - search: GET /discovery/search work (BM25 over the catalog, quality re-rank of ≤ 500 candidates, page of 20),
 *   p50/p99 ms for 1-2 word queries;
 * - the same list/search with quality stats from chDB (settlements for 10% of the resources), cache off, p50/p99 ms.
 */

type Figures = Record<string, number | string | boolean | null>;

class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

const WORDS = [
  'weather',
  'stock',
  'quote',
  'image',
  'translate',
  'news',
  'search',
  'maps',
  'forecast',
  'crypto',
  'price',
  'sports',
  'music',
  'video',
  'ocr',
  'speech',
  'summary',
  'pdf',
  'email',
  'sms',
];
const pick = (i: number, k: number) => WORDS[(i * 7 + k * 13) % WORDS.length];
const payTo = (i: number) => `0x${(i % 50).toString(16).padStart(40, '0')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(runs: number, work: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await work(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: Math.round(percentile(samples, 50) * 100) / 100, p99: Math.round(percentile(samples, 99) * 100) / 100 };
}

export default async function run(opts: { quick: boolean; log: (line: string) => void }): Promise<Figures> {
  const n = opts.quick ? 2_000 : 10_000;
  const runs = opts.quick ? 200 : 1_000;
  const dir = mkdtempSync(join(tmpdir(), 'x402-discovery-bench-'));
  const log = LmdbEventLog.open(join(dir, 'log'), { logger: SILENT_EVENT_LOG_LOGGER });
  const clock = new SystemClock();
  const options = parseDiscoveryOptions({ mode: 'dev', qualityCacheMs: 0 });
  const catalog = new CatalogService(new InMemoryCatalogStore(), log, clock, options);
  const figures: Figures = { resources: n };
  try {
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      await catalog.record({
        resourceUrl: `https://svc${i % 500}.example.com/api/${pick(i, 0)}/${i}`,
        type: i % 10 === 0 ? 'mcp' : 'http',
        x402Version: 2,
        fetchUrl: `https://svc${i % 500}.example.com/api/${pick(i, 0)}/${i}`,
        accepts: [{ scheme: 'exact', network: 'eip155:8453', amount: String(1000 + i), asset: '0xa', payTo: payTo(i) }],
        acceptsMode: 'replace',
        metadata: {
          description: `${pick(i, 1)} ${pick(i, 2)} service number ${i} with ${pick(i, 3)} data`,
          serviceName: `svc ${pick(i, 4)}`,
          tags: [pick(i, 5), pick(i, 6)],
          method: 'GET',
        },
        status: 'active',
        tenant: 'bench',
      });
    }
    figures.catalogue_per_s = Math.round(n / ((Date.now() - t0) / 1000));
    opts.log(`catalogued ${n} resources (${figures.catalogue_per_s}/s, one durable event each)`);

    const measure = async (quality: QualityStatsSource, tag: string, count: number) => {
      const sut = new DiscoveryQueryService(catalog, quality, clock, options);
      await sut.list({ limit: 20, offset: 0 }); // builds the sorted view
      await sut.search({ query: 'weather', limit: 20 }); // builds the text index
      const list = await timed(count, (i) => sut.list({ limit: 20, offset: (i * 20) % n }));
      const listPayTo = await timed(count, (i) => sut.list({ limit: 20, offset: 0, payTo: payTo(i) }));
      const search = await timed(count, (i) =>
        sut.search({ query: i % 2 ? pick(i, 0) : `${pick(i, 0)} ${pick(i, 1)}`, limit: 20 }),
      );
      figures[`${tag}list_p50_ms`] = list.p50;
      figures[`${tag}list_p99_ms`] = list.p99;
      figures[`${tag}list_payto_p50_ms`] = listPayTo.p50;
      figures[`${tag}list_payto_p99_ms`] = listPayTo.p99;
      figures[`${tag}search_p50_ms`] = search.p50;
      figures[`${tag}search_p99_ms`] = search.p99;
      opts.log(`${tag || 'catalog '}list p50/p99 ${list.p50}/${list.p99} ms; search ${search.p50}/${search.p99} ms`);
    };
    await measure(new NoQualityStats(), '', runs);

    const client = await AnalyticsClient.create(`chdb:${join(dir, 'ch')}`);
    try {
      await new MigrationRunner(client).migrate();
      const rows = Array.from({ length: Math.ceil(n / 10) }, (_, k) => {
        const i = k * 10 + 1;
        return {
          event_id: `e${k}`,
          tenant: 'bench',
          payment_id: `p${k}`,
          settled_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
          network: 'eip155:8453',
          asset: '0xa',
          amount: String(1000 + i),
          payer: `0x${k.toString(16).padStart(40, '0')}`,
          pay_to: payTo(i),
          resource: `https://svc${i % 500}.example.com/api/${pick(i, 0)}/${i}?q=1`,
          tx_hash: `0x${k.toString(16).padStart(64, '0')}`,
          signer: '0xb',
          block_number: k,
          gas_used: '1',
          effective_gas_price: '1',
          gas_cost: '1',
          latency_ms: 1000,
        };
      });
      await client.insert('settlements', rows);
      await measure(new ClickHouseQualityStats(client, 0), 'chdb_', opts.quick ? 40 : 200);
    } finally {
      await client.close();
    }
    return figures;
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
