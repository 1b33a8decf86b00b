import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AnalyticsClient, MigrationRunner, Projector, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';

import {
  ALL_VALUE,
  DASHBOARDS,
  DEFAULT_INTERVAL,
  interpolateClickHouseSql,
  intervalToMs,
  QUERY_VARIABLES,
  replaceTemplateVariables,
  type ColumnKind,
  type ColumnSpec,
  type DashboardSpec,
  type InterpolationContext,
  type PanelSpec,
  type TemplateVariable,
} from '../../../dashboards/src';
import {
  BASE_DAI,
  BASE_USDC,
  DashboardScenario,
  MERCHANT_1,
  MERCHANT_2,
  SEPOLIA_USDC,
  TENANT_A,
  TENANT_B,
} from './support/dashboard-scenario';

/**
 * Runs EVERY panel's SQL of the generated dashboards (the JSON Grafana loads) against the real ClickHouse engine
 * (chDB), on tables created by the real migrations of libs/analytics and filled by the real Projector from ledger
 * events, after substituting variables and plugin macros the way Grafana and the ClickHouse plugin do.
 */

const GENERATED = join(__dirname, '../../../dashboards/generated/dashboards');
const MINUTE = 60_000;
const HOUR = 3_600_000;

interface GrafanaTarget {
  refId: string;
  rawSql: string;
  format: number;
  datasource: { type: string; uid: string };
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  interval?: string;
  targets?: GrafanaTarget[];
}
interface GrafanaDashboard {
  uid: string;
  panels: GrafanaPanel[];
}
interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

const KIND_TYPE: Record<ColumnKind, RegExp> = {
  time: /^(Nullable\()?(DateTime|DateTime64|Date|Date32)\b/,
  number: /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/,
  string: /^(Nullable\()?(LowCardinality\()?(String|FixedString)/,
};

function loadGenerated(spec: DashboardSpec): GrafanaDashboard {
  return JSON.parse(readFileSync(join(GENERATED, `${spec.uid}.json`), 'utf8')) as GrafanaDashboard;
}

/** Panel JSON + its spec (matched by title; titles are unique per dashboard). */
function panelsOf(spec: DashboardSpec): { json: GrafanaPanel; spec: PanelSpec }[] {
  const json = loadGenerated(spec);
  const specs = spec.rows.flatMap((r) => r.panels);
  return json.panels
    .filter((p) => p.type !== 'row')
    .map((p) => {
      const match = specs.find((s) => s.title === p.title);
      if (!match) throw new Error(`${spec.uid}: panel "${p.title}" has no spec`);
      return { json: p, spec: match };
    });
}

describe('every dashboard panel runs on ClickHouse (chDB) with realistic data', () => {
  const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
  const range = { from: new Date(now.getTime() - 49 * HOUR), to: now };
  let dir: string;
  let client: AnalyticsClient;
  let scenario: DashboardScenario;

  async function run(sql: string): Promise<JsonResult> {
    const result = await client.raw.query({ query: sql, format: 'JSON' });
    return (await result.json()) as unknown as JsonResult;
  }

  function variables(selection: Partial<Record<'payTo' | 'network' | 'asset', string[]>>, tenant: string) {
    const v: Record<string, TemplateVariable> = {
      tenant: { current: tenant },
      interval: { current: DEFAULT_INTERVAL },
    };
    for (const name of ['payTo', 'network', 'asset'] as const) {
      v[name] = selection[name]
        ? { current: selection[name] }
        : { current: [ALL_VALUE], options: optionsOf[tenant][name] };
    }
    return v;
  }

  /** Variable options per tenant, as Grafana gets them: by running each query variable's SQL. */
  const optionsOf: Record<string, Record<string, string[]>> = {};

  function contextFor(panel: GrafanaPanel, vars: Record<string, TemplateVariable>): InterpolationContext {
    const base: InterpolationContext = { ...range, intervalMs: 0, variables: vars };
    // The panel's min interval ("$interval") decides the query interval (the range is short enough for it to win).
    const interval = panel.interval ? replaceTemplateVariables(panel.interval, base) : '1m';
    return { ...base, intervalMs: intervalToMs(interval) };
  }

  /** Problems with one result: column names, ClickHouse types, no rows, values that do not parse. */
  function shapeProblems(where: string, columns: readonly ColumnSpec[], result: JsonResult): string[] {
    const problems: string[] = [];
    const names = result.meta.map((m) => m.name);
    if (names.join(',') !== columns.map((c) => c.name).join(',')) {
      return [`${where}: columns ${names.join(',')} ≠ declared ${columns.map((c) => c.name).join(',')}`];
    }
    result.meta.forEach((m, i) => {
      if (!KIND_TYPE[columns[i].kind].test(m.type))
        problems.push(`${where}: ${m.name} is ${m.type}, expected ${columns[i].kind}`);
    });
    if (result.data.length === 0) problems.push(`${where}: no rows`);
    for (const row of result.data) {
      for (const c of columns) {
        const value = row[c.name];
        if (value === null) continue;
        if (c.kind === 'number' && !Number.isFinite(Number(value)))
          problems.push(`${where}: ${c.name}=${String(value)}`);
        if (c.range && !(Number(value) >= c.range[0] && Number(value) <= c.range[1])) {
          problems.push(`${where}: ${c.name}=${String(value)} outside ${c.range.join('…')}`);
        }
        if (c.kind === 'time' && !Number.isFinite(Date.parse(`${String(value).replace(' ', 'T')}Z`))) {
          problems.push(`${where}: ${c.name}=${String(value)} is not a time`);
        }
      }
    }
    return [...new Set(problems)];
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'x402-dashboards-'));
    client = await AnalyticsClient.create(`chdb:${join(dir, 'ch')}`);
    // The real schema: libs/analytics migrations on a fresh folder (catches drift between panels and tables).
    const migrated = await new MigrationRunner(client).migrate();
    expect(migrated.applied.length).toBeGreaterThan(0);

    scenario = new DashboardScenario(now).build();
    let projectedAt = new Date(0);
    const projector = new Projector(client, {
      logger: SILENT_ANALYTICS_LOGGER,
      assetDecimals: (network, asset) => DashboardScenario.assetDecimals(network, asset),
      now: () => projectedAt,
      minBatchIntervalMs: 0,
    });
    let projected = 0;
    for (const batch of scenario.batches()) {
      projectedAt = batch.projectedAt;
      const result = await projector.handleBatch(batch.records);
      expect(result.invalid).toBe(0);
      projected += result.projected;
    }
    expect(projected).toBe(scenario.events().length);

    for (const tenant of [TENANT_A, TENANT_B]) {
      optionsOf[tenant] = {};
      for (const v of QUERY_VARIABLES.filter((q) => q.name !== 'tenant')) {
        const sql = interpolateClickHouseSql(v.sql, {
          ...range,
          intervalMs: HOUR,
          variables: { tenant: { current: tenant } },
        });
        optionsOf[tenant][v.name] = (await run(sql)).data.map((r) => String(r.value));
      }
    }
  }, 600_000);

  afterAll(async () => {
    await client?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('seeds a realistic history through the ledger contracts and the projector', () => {
    expect(scenario.events().length).toBeGreaterThan(1500);
    expect(scenario.expected.get(TENANT_A)?.settled).toBeGreaterThan(200);
  });

  it('answers the variable queries with the seeded tenants, payTo, networks and assets', async () => {
    const tenant = QUERY_VARIABLES.find((v) => v.name === 'tenant')!;
    const tenants = await run(interpolateClickHouseSql(tenant.sql, { ...range, intervalMs: HOUR, variables: {} }));
    expect(tenant.columns.map((c) => c.name)).toEqual(['value']);
    expect(tenants.data.map((r) => r.value)).toEqual([TENANT_A, TENANT_B]);
    expect(optionsOf[TENANT_A].payTo).toEqual([MERCHANT_1, MERCHANT_2].sort());
    expect(optionsOf[TENANT_A].network).toEqual(['eip155:8453', 'eip155:84532']);
    expect(optionsOf[TENANT_A].asset).toEqual(
      [BASE_USDC, BASE_DAI, SEPOLIA_USDC].map((a) => a.address.toLowerCase()).sort(),
    );
    expect(optionsOf[TENANT_B].payTo).toHaveLength(1);
  });

  const selections: Record<string, { tenant: string; pick: Partial<Record<'payTo' | 'network' | 'asset', string[]>> }> =
    {
      'All selected': { tenant: TENANT_A, pick: {} },
      'one payTo, network and asset': {
        tenant: TENANT_A,
        pick: { payTo: [MERCHANT_1], network: [BASE_USDC.network], asset: [BASE_USDC.address.toLowerCase()] },
      },
      'several values (18-decimal asset included)': {
        tenant: TENANT_A,
        pick: {
          payTo: [MERCHANT_1, MERCHANT_2],
          asset: [BASE_USDC.address.toLowerCase(), BASE_DAI.address.toLowerCase()],
        },
      },
      'the other tenant': { tenant: TENANT_B, pick: {} },
    };

  for (const spec of DASHBOARDS) {
    describe(spec.title, () => {
      for (const [label, selection] of Object.entries(selections)) {
        it(`every panel returns rows of the declared shape (${label})`, async () => {
          const panels = panelsOf(spec);
          expect(panels.length).toBe(spec.rows.flatMap((r) => r.panels).length);
          const problems: string[] = [];
          for (const { json, spec: panel } of panels) {
            const where = `${spec.uid} / ${panel.title}`;
            expect(json.targets).toHaveLength(1);
            const target = json.targets![0];
            if (target.format === 0 && panel.columns[0].kind !== 'time')
              problems.push(`${where}: time series without time`);
            const ctx = contextFor(json, variables(selection.pick, selection.tenant));
            const sql = interpolateClickHouseSql(target.rawSql, ctx);
            if (/\$\{?\w|\[\[/.test(sql)) problems.push(`${where}: unsubstituted variable in\n${sql}`);
            try {
              problems.push(...shapeProblems(where, panel.columns, await run(sql)));
            } catch (error) {
              problems.push(`${where}: ${(error as Error).message.slice(0, 400)}\n${sql}`);
            }
          }
          expect(problems).toEqual([]);
        });
      }
    });
  }

  it('shows the seeded totals: gross, payments, pending settlements, open disputes (per tenant)', async () => {
    for (const tenant of [TENANT_A, TENANT_B]) {
      const expected = scenario.expected.get(tenant)!;
      const vars = variables({}, tenant);
      const panel = (dashboard: DashboardSpec, title: string) => {
        const found = panelsOf(dashboard).find((p) => p.spec.title === title)!;
        return run(interpolateClickHouseSql(found.json.targets![0].rawSql, contextFor(found.json, vars)));
      };
      const [revenueDash, opsDash, refundsDash] = DASHBOARDS;
      const revenue = (await panel(revenueDash, 'Revenue')).data[0];
      let gross = 0;
      for (const [key, atomic] of expected.grossAtomicByAsset) {
        const [network, asset] = key.split('|');
        gross += Number(atomic) / 10 ** (DashboardScenario.assetDecimals(network, asset) ?? 0);
      }
      expect(Number(revenue.gross)).toBeCloseTo(gross, 6);
      expect(Number((await panel(revenueDash, 'Payments and payers')).data[0].payments)).toBe(expected.settled);
      expect(Number((await panel(opsDash, 'Pending settlements')).data[0].pending)).toBe(expected.pendingSubmitted);
      expect(Number((await panel(refundsDash, 'Disputes')).data[0].open)).toBe(expected.openDisputes);
      // The exact atomic gross of the per-asset table equals the ledger's sums.
      const byAsset = (await panel(revenueDash, 'By network and asset')).data;
      for (const row of byAsset) {
        const key = `${String(row.network)}|${String(row.asset)}`;
        expect({ key, gross: String(row.gross_atomic) }).toEqual({
          key,
          gross: String(expected.grossAtomicByAsset.get(key)),
        });
      }
      expect(byAsset).toHaveLength(expected.grossAtomicByAsset.size);
    }
  });
});
