import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AnalyticsClient, CachedReads, MigrationRunner } from '@x402-ledger/analytics';
import { ApiModule, ApiReadModel } from '@x402-ledger/api';
import { ApiKeyService, AuthModule } from '@x402-ledger/auth';
import { EventLog, LmdbEventLog, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';

/**
 * GraphQL API benchmark (targets: p50 ≤ 150 ms, p99 ≤ 400 ms through GraphQL over HTTP, concurrency 16):
 *
 * - `revenue`: 30 days hourly for one tenant — totals and every hourly bucket with gross, refunds, net, count and
 *   unique payers (720 buckets).
 * - `payments`: first 50, filtered (one payTo, settled in the last 7 days), newest settlement first (SETTLED_AT, the
 *   settlement time index); also reported: the same filter with the default CREATED_AT order (state-table scan).
 *   Each request differs from the others (window shifted by whole hours; one of 20 payTo addresses).
 *
 * Data: N settled payments (10M; 200k with --quick) over 30 days, 2 tenants × 20 payTo × 10 resources, 100k payers,
 * written into `projection_ingest` with INSERT … SELECT (three rows per payment: verified, submitted, settled, as the
 * projector writes them), so every analytics materialized view (payments, settlements, revenue rollups) fills as in
 * production. The projector's own throughput is the projection suite's business. ClickHouse = chDB (the same engine).
 *
 * Measured twice: without the read cache (`readCache: false`: every request reaches ClickHouse) and as the product
 * runs (`CachedReads`: a result is reused while the data it came from is unchanged — the data here is static, so after
 * the warm-up this is the dashboard-refresh regime: many viewers, the same 24 revenue windows and 20 payment pages).
 *
 * The load generator runs in the same process as the server (one Node process, 2 shared cores): latencies include
 * the client's own work.
 */

type Figures = Record<string, number | string | boolean | null>;

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const PAY_TO_OF = (tenant: number, k: number) => `0x${(tenant * 1000 + k).toString(16).padStart(40, '0')}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** INSERT … SELECT of `n` payments (offset `offset` of `total`), three projection rows each, over 30 days. */
function seedSql(n: number, offset: number, total: number): string {
  const span = 30 * DAY;
  const base = `
    SELECT number + ${offset} AS i,
      lower(hex(SHA256(concat('p', toString(i))))) AS payment_id,
      concat('tenant-', toString(i % 2)) AS tenant,
      concat('0x', leftPad(lower(hex(i % 2 * 1000 + intDiv(i, 2) % 20)), 40, '0')) AS pay_to,
      concat('0x', lower(leftPad(hex(cityHash64(i % 100000)), 40, 'a'))) AS payer,
      concat('https://api.example.com/r', toString(i % 10)) AS resource,
      toUInt256(1000 + (cityHash64(i) % 5000000)) AS amount,
      fromUnixTimestamp64Milli(toInt64(${START} + intDiv(toUInt64(i) * ${span}, ${total}) + cityHash64(i, 7) % 1000), 'UTC') AS t
    FROM numbers(${n})`;
  const types = `['payment.verified','payment.settlement_submitted','payment.settled']`;
  return `
INSERT INTO projection_ingest (event_id, type, stream_id, sequence, occurred_at, tenant, payment_id, scheme, network, asset,
  decimals, amount, payment_amount, payer, pay_to, resource, status, tx_hash, signer, block_number, block_timestamp,
  gas_used, effective_gas_price, gas_cost, submitted_at)
SELECT
  lower(hex(SHA256(concat(payment_id, '|', arrayElement(${types}, seq), '|', toString(seq))))),
  arrayElement(${types}, seq), payment_id, seq, t + toIntervalMillisecond(seq * 700), tenant, payment_id, 'exact',
  'eip155:84532', '0x036cbd53842c5426634e7929541ec2318f3dcf7e', 6, amount, toUInt256(0), payer, pay_to, resource,
  arrayElement(['verified','submitted','settled'], seq),
  if(seq >= 2, concat('0x', lower(hex(SHA256(concat('tx', toString(i)))))), ''),
  if(seq >= 2, '0x209693bc6afc0c5328ba36faf03c514ef312287c', ''),
  if(seq = 3, toUInt64(1000000 + i), 0), if(seq = 3, t + toIntervalMillisecond(2100), NULL),
  if(seq = 3, toUInt256(52000), toUInt256(0)), if(seq = 3, toUInt256(1000000000), toUInt256(0)),
  if(seq = 3, toUInt256(52000000000000), toUInt256(0)), if(seq >= 2, t + toIntervalMillisecond(1400), NULL)
FROM (${base}) ARRAY JOIN [1, 2, 3] AS seq
SETTINGS max_insert_block_size = 1048576, min_insert_block_size_rows = 1048576`;
}

async function measure(
  url: string,
  token: string,
  bodyOf: (i: number) => string,
  total: number,
  concurrency: number,
): Promise<{ p50: number; p99: number; max: number; rps: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const body = bodyOf(next++);
      const t0 = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const json = (await response.json()) as { errors?: unknown[] };
      latencies.push(performance.now() - t0);
      if (response.status !== 200 || json.errors) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1]),
    rps: round(latencies.length / seconds),
    errors,
  };
}

export default async function run(opts: { quick: boolean; log: (line: string) => void }): Promise<Figures> {
  const { quick, log } = opts;
  const payments = quick ? 200_000 : 10_000_000;
  const requests = quick ? 160 : 800;
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16); // the target is set at 16
  const dir = mkdtempSync(join(tmpdir(), 'x402-bench-graphql-'));
  const client = await AnalyticsClient.create(`chdb:${join(dir, 'ch')}`);
  const eventLog = LmdbEventLog.open(join(dir, 'log'), { logger: SILENT_EVENT_LOG_LOGGER });
  try {
    await new MigrationRunner(client).migrate();
    const t0 = performance.now();
    const chunk = 1_000_000;
    for (let offset = 0; offset < payments; offset += chunk) {
      await client.command(seedSql(Math.min(chunk, payments - offset), offset, payments));
      log(
        `seeded ${Math.min(offset + chunk, payments).toLocaleString('en')} payments (${round((performance.now() - t0) / 1000)} s)`,
      );
    }
    const seedSeconds = round((performance.now() - t0) / 1000);
    await client.command('OPTIMIZE TABLE revenue_hourly FINAL');

    @Global()
    @Module({
      providers: [
        { provide: EventLog, useValue: eventLog },
        { provide: AnalyticsClient, useValue: client },
      ],
      exports: [EventLog, AnalyticsClient],
    })
    class BenchInfraModule {}
    const serve = async (readCache: boolean) => {
      @Module({
        imports: [
          BenchInfraModule,
          AuthModule.forRoot({ siweDomain: '127.0.0.1' }),
          ApiModule.forRoot({ mode: 'production', readCache, limits: { rateLimit: { perSecond: 1e6, burst: 1e6 } } }),
        ],
      })
      class BenchRootModule {}
      const app = await NestFactory.create<NestExpressApplication>(BenchRootModule, { logger: false });
      app.useBodyParser('json', { limit: '256kb' });
      await app.listen(0, '127.0.0.1');
      return app;
    };
    let key = '';
    // First without the read cache (every request reaches ClickHouse), then as the product runs (cache on).
    const cold = await measureApi(await serve(false), false);
    const warm = await measureApi(await serve(true), true);
    return {
      payments,
      concurrency,
      requestsPerQuery: requests,
      seedSeconds,
      cpus: cpus().length,
      loadAvg1m: round(loadavg()[0], 2),
      revenueP50Ms: warm.rev.p50,
      revenueP99Ms: warm.rev.p99,
      revenueMaxMs: warm.rev.max,
      revenueRps: warm.rev.rps,
      paymentsP50Ms: warm.pay.p50,
      paymentsP99Ms: warm.pay.p99,
      paymentsMaxMs: warm.pay.max,
      paymentsRps: warm.pay.rps,
      paymentsCreatedOrderP50Ms: warm.created.p50,
      paymentsCreatedOrderP99Ms: warm.created.p99,
      readCacheHitRatio: warm.hitRatio,
      uncachedRevenueP50Ms: cold.rev.p50,
      uncachedRevenueP99Ms: cold.rev.p99,
      uncachedRevenueRps: cold.rev.rps,
      uncachedPaymentsP50Ms: cold.pay.p50,
      uncachedPaymentsP99Ms: cold.pay.p99,
      uncachedPaymentsRps: cold.pay.rps,
      uncachedPaymentsCreatedOrderP50Ms: cold.created.p50,
      errors: warm.errors + cold.errors,
      revenueTargetMet: warm.rev.p50 <= 150 && warm.rev.p99 <= 400,
      paymentsTargetMet: warm.pay.p50 <= 150 && warm.pay.p99 <= 400,
      uncachedRevenueTargetMet: cold.rev.p50 <= 150 && cold.rev.p99 <= 400,
      uncachedPaymentsTargetMet: cold.pay.p50 <= 150 && cold.pay.p99 <= 400,
    };

    async function measureApi(app: NestExpressApplication, cached: boolean) {
      try {
        const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/graphql`;
        if (!key)
          ({ key } = await app
            .get(ApiKeyService)
            .create({ role: 'provider', tenant: 'tenant-0', label: 'bench', createdBy: 'bench' }));
        const to = new Date(START + 30 * DAY).toISOString();
        // Every request differs (window shifted by whole hours, another payTo), so no two concurrent requests are the same.
        const revenue = (i: number) =>
          JSON.stringify({
            query: `query($from: DateTime!, $to: DateTime!) { revenue(range: { from: $from, to: $to }, interval: HOUR) {
            series { network asset totals { gross refunds net count uniquePayers } buckets { start gross refunds net count uniquePayers } } } }`,
            variables: {
              from: new Date(START - (i % 24) * 3_600_000).toISOString(),
              to: new Date(Date.parse(to) - (i % 24) * 3_600_000).toISOString(),
            },
          });
        const paymentsQuery = (orderBy: string) => (i: number) =>
          JSON.stringify({
            query: `query($f: PaymentFilter) { payments(first: 50, orderBy: ${orderBy}, filter: $f) {
            nodes { id status amount formattedAmount payer payTo resource transaction blockNumber settledAt } pageInfo { hasNextPage endCursor } } }`,
            variables: {
              f: {
                payTo: PAY_TO_OF(0, i % 20),
                status: ['SETTLED'],
                settledAt: { from: new Date(START + 23 * DAY).toISOString() },
              },
            },
          });
        // Check the answers once, then warm up.
        for (const body of [revenue(0), paymentsQuery('SETTLED_AT')(0), paymentsQuery('CREATED_AT')(0)]) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body,
          });
          const json = (await response.json()) as {
            data?: Record<string, { series?: unknown[]; nodes?: unknown[] }>;
            errors?: unknown[];
          };
          if (json.errors) throw new Error(`bench query failed: ${JSON.stringify(json.errors)}`);
          const data = json.data as Record<string, { series?: { buckets: unknown[] }[]; nodes?: unknown[] }>;
          if (data['revenue'] && data['revenue'].series?.[0]?.buckets.length !== 720)
            throw new Error('revenue: expected 720 hourly buckets');
          if (data['payments'] && data['payments'].nodes?.length !== 50)
            throw new Error('payments: expected a full page of 50');
        }
        await measure(url, key, revenue, 32, concurrency);
        await measure(url, key, paymentsQuery('SETTLED_AT'), 32, concurrency);
        // Uncached full runs are bounded (each request is a full ClickHouse query on 10M payments).
        const n = cached ? requests : Math.min(requests, 240);
        log(
          `measuring ${cached ? 'with' : 'without'} the read cache: ${n} requests per query, concurrency ${concurrency}`,
        );
        const rev = await measure(url, key, revenue, n, concurrency);
        log(`revenue 30d hourly: p50 ${rev.p50} ms, p99 ${rev.p99} ms, ${rev.rps} req/s`);
        const pay = await measure(url, key, paymentsQuery('SETTLED_AT'), n, concurrency);
        log(`payments first 50 filtered (SETTLED_AT): p50 ${pay.p50} ms, p99 ${pay.p99} ms, ${pay.rps} req/s`);
        const created = await measure(
          url,
          key,
          paymentsQuery('CREATED_AT'),
          cached ? Math.min(requests, 200) : 32,
          concurrency,
        );
        log(
          `payments first 50 filtered (CREATED_AT): p50 ${created.p50} ms, p99 ${created.p99} ms, ${created.rps} req/s`,
        );
        const reads = app.get(ApiReadModel).reads;
        const hitRatio =
          reads instanceof CachedReads ? round(reads.hits / Math.max(1, reads.hits + reads.misses), 3) : 0;
        return { rev, pay, created, hitRatio, errors: rev.errors + pay.errors + created.errors };
      } finally {
        await app.close();
      }
    }
  } finally {
    await eventLog.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
