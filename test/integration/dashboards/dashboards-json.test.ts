import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import {
  CLICKHOUSE_DATASOURCE,
  CLICKHOUSE_PLUGIN_VERSION,
  DASHBOARDS,
  generatedFiles,
  PANEL_MIN_INTERVAL,
} from '../../../dashboards/src';

const ROOT = join(__dirname, '../../..');
const GENERATED = join(ROOT, 'dashboards/generated');

interface Panel {
  id: number;
  type: string;
  title: string;
  interval?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: {
    rawSql: string;
    format: number;
    pluginVersion: string;
    editorType: string;
    datasource: { uid: string };
  }[];
}

const BUILT_INS = new Set(['__interval', '__interval_ms', '__from', '__to']);

describe('generated dashboards and provisioning', () => {
  it('are current: `generate-dashboards.mjs --check` passes and matches the in-process generation', () => {
    const check = spawnSync(process.execPath, ['scripts/generate-dashboards.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    for (const file of generatedFiles()) {
      expect({ path: file.path, same: readFileSync(join(GENERATED, file.path), 'utf8') === file.content }).toEqual({
        path: file.path,
        same: true,
      });
    }
  });

  it('pins the foundation SDK version exactly', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['@grafana/grafana-foundation-sdk']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  for (const spec of DASHBOARDS) {
    it(`${spec.uid}: layout, ids, data source, variables and intervals are consistent`, () => {
      const model = JSON.parse(readFileSync(join(GENERATED, `dashboards/${spec.uid}.json`), 'utf8')) as {
        uid: string;
        templating: { list: { name: string; type: string; datasource?: { uid: string } }[] };
        panels: Panel[];
      };
      expect(model.uid).toBe(spec.uid);
      const variables = model.templating.list.map((v) => v.name);
      expect(variables).toEqual(['tenant', 'payTo', 'network', 'asset', 'interval']);
      for (const v of model.templating.list.filter((x) => x.type === 'query')) {
        expect(v.datasource?.uid).toBe(CLICKHOUSE_DATASOURCE.uid);
      }

      const ids = model.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const occupied = new Set<string>();
      for (const p of model.panels) {
        expect({ title: p.title, fits: p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 }).toEqual({
          title: p.title,
          fits: true,
        });
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            const cell = `${x},${y}`;
            expect({ title: p.title, overlaps: occupied.has(cell) }).toEqual({ title: p.title, overlaps: false });
            occupied.add(cell);
          }
        }
      }

      const panels = model.panels.filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThanOrEqual(5);
      for (const p of panels) {
        expect(p.datasource?.uid).toBe(CLICKHOUSE_DATASOURCE.uid);
        expect(p.targets).toHaveLength(1);
        const [target] = p.targets!;
        expect(target).toMatchObject({ pluginVersion: CLICKHOUSE_PLUGIN_VERSION, editorType: 'sql' });
        expect(target.datasource.uid).toBe(CLICKHOUSE_DATASOURCE.uid);
        if (p.type === 'timeseries') {
          expect({ title: p.title, format: target.format, interval: p.interval }).toEqual({
            title: p.title,
            format: 0,
            interval: PANEL_MIN_INTERVAL,
          });
        }
        // Every referenced variable exists (macros `$__x` are the plugin's; `${__x}` Grafana built-ins).
        for (const m of target.rawSql.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)) {
          const name = m[1] ?? m[2];
          if (name.startsWith('__') && !BUILT_INS.has(name)) continue;
          expect({ title: p.title, name, known: variables.includes(name) || BUILT_INS.has(name) }).toEqual({
            title: p.title,
            name,
            known: true,
          });
        }
        // Amounts are shown in display units: every sum over an atomic amount divides by the asset decimals.
        if (/\bsum\((gross|refunds|amount|succeeded_amount)\b/.test(target.rawSql)) {
          throw new Error(`${p.title}: sums an atomic amount without converting it for display`);
        }
      }
    });
  }

  it('refers only to declared result columns in units and axis overrides', () => {
    const problems: string[] = [];
    for (const spec of DASHBOARDS) {
      for (const panel of spec.rows.flatMap((r) => r.panels)) {
        const names = panel.columns.map((c) => c.name);
        for (const column of [...Object.keys(panel.columnUnits ?? {}), ...(panel.rightAxis ?? [])]) {
          if (!names.includes(column)) problems.push(`${spec.uid} / ${panel.title}: ${column} is not a result column`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('provisions the ClickHouse data source the panels use and a file provider for the dashboards', () => {
    const ds = parse(readFileSync(join(GENERATED, 'provisioning/datasources/clickhouse.yaml'), 'utf8')) as {
      datasources: {
        uid: string;
        type: string;
        jsonData: Record<string, unknown>;
        secureJsonData: Record<string, string>;
      }[];
    };
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ uid: CLICKHOUSE_DATASOURCE.uid, type: CLICKHOUSE_DATASOURCE.type });
    expect(ds.datasources[0].jsonData).toMatchObject({ protocol: 'http', version: CLICKHOUSE_PLUGIN_VERSION });
    expect(ds.datasources[0].secureJsonData.password).toBe('${CLICKHOUSE_GRAFANA_PASSWORD}');

    const providers = parse(readFileSync(join(GENERATED, 'provisioning/dashboards/x402-ledger.yaml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file' })]);
    expect(readFileSync(join(GENERATED, 'clickhouse/users.d/grafana.xml'), 'utf8')).toContain(
      '<password from_env="CLICKHOUSE_GRAFANA_PASSWORD"/>',
    );
  });
});
