import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseClickHouseUrl } from '@x402-ledger/analytics';
import { parseEventLogUrl } from '@x402-ledger/event-log';
import Ajv from 'ajv';
import { parse } from 'yaml';

import { CLICKHOUSE_PLUGIN_ID, CLICKHOUSE_PLUGIN_VERSION } from '../../../dashboards/src';
import { GRAFANA_DASHBOARDS_PATH } from '../../../dashboards/src/provisioning/provisioning';
import { APPS, appEnvProblems } from './support/app-env';

const ROOT = join(__dirname, '../../..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  read_only?: boolean;
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

/** The compose file as Compose sees it: YAML anchors and merge keys resolved. */
function loadCompose(): ComposeFile {
  return parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

const env = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('docker-compose.yml', () => {
  const compose = loadCompose();

  it('validates against the Compose specification JSON schema (vendored in deploy/schemas)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'deploy/schemas/compose-spec.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    delete schema.$schema; // draft-07, spelled without the trailing '#' ajv registers it under
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);

    // The schema is not a rubber stamp: a misspelt service key is rejected.
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.api.helthcheck = broken.services.api.healthcheck;
    expect(validate(broken)).toBe(false);
  });

  it('runs the full stack: Kafka, ClickHouse, Grafana and the four apps, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'clickhouse', 'grafana', ...APPS].sort());
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Array.isArray(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
      for (const port of service.ports ?? [])
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
  });

  it('builds every app from the multi-stage Dockerfile target and runs its own entry point, read-only', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
    for (const app of APPS) {
      const s = compose.services[app];
      expect(s.build).toMatchObject({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
      expect(stages).toContain(s.build!.target);
      expect(s.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(s.read_only).toBe(true);
      expect(s.depends_on).toMatchObject({
        kafka: { condition: 'service_healthy' },
        clickhouse: { condition: 'service_healthy' },
      });
      expect(s.healthcheck!.test.join(' ')).toContain('/health/ready');
    }
  });

  it('gives every app an environment its config schema accepts (unknown variables included)', () => {
    const problems = APPS.flatMap((app) => appEnvProblems(app, env(compose.services[app])));
    expect(problems).toEqual([]);
    // The checker is not a rubber stamp either.
    expect(appEnvProblems('api', { ...env(compose.services.api), CLICKHOUSE_ULR: 'x' })).toEqual([
      "api: CLICKHOUSE_ULR is not a variable of the app's config schema",
    ]);
    const { FACILITATOR_KEYS_FILE: _keys, ...withoutKeys } = env(compose.services.facilitator);
    expect(appEnvProblems('facilitator', withoutKeys).join('\n')).toMatch(/FACILITATOR_PRIVATE_KEYS: required/);
  });

  it('points the apps at the Kafka and ClickHouse services and mounts the secrets they name', () => {
    for (const app of APPS) {
      const e = env(compose.services[app]);
      expect(parseEventLogUrl(e.EVENT_LOG_URL)).toMatchObject({ kind: 'kafka', brokers: ['kafka:9092'] });
      const clickhouse = parseClickHouseUrl(e.CLICKHOUSE_URL);
      expect(clickhouse.kind === 'http' && new URL(clickhouse.url).hostname).toBe('clickhouse');
      const secretsMount = compose.services[app].volumes?.find((v) => v.endsWith(':/run/secrets:ro'));
      for (const [name, value] of Object.entries(e)) {
        if (name.endsWith('_FILE') || name === 'NETWORKS_FILE') {
          expect({ app, name, mounted: value.startsWith('/run/secrets/') && secretsMount !== undefined }).toEqual({
            app,
            name,
            mounted: true,
          });
        }
      }
      expect(compose.services[app].volumes).toContain(`${app}-data:/data`);
    }
  });

  it('provisions Grafana with the pinned ClickHouse plugin, the data source and the generated dashboards', () => {
    const grafana = compose.services.grafana;
    const e = env(grafana);
    expect(e.GF_PLUGINS_PREINSTALL_SYNC).toBe(`${CLICKHOUSE_PLUGIN_ID}@${CLICKHOUSE_PLUGIN_VERSION}`);
    const mounts = new Map((grafana.volumes ?? []).map((v) => [v.split(':')[1], v.split(':')[0]]));
    expect(mounts.get(GRAFANA_DASHBOARDS_PATH)).toBe('./dashboards/generated/dashboards');
    expect(mounts.get('/etc/grafana/provisioning/datasources')).toBe('./dashboards/generated/provisioning/datasources');
    expect(mounts.get('/etc/grafana/provisioning/dashboards')).toBe('./dashboards/generated/provisioning/dashboards');
    for (const [, source] of mounts) if (source.startsWith('./')) expect(existsSync(join(ROOT, source))).toBe(true);

    // Every ${VAR} of the provisioned data source is set, and the Grafana user's password matches ClickHouse's.
    const datasource = readFileSync(
      join(ROOT, 'dashboards/generated/provisioning/datasources/clickhouse.yaml'),
      'utf8',
    );
    for (const [, name] of datasource.matchAll(/\$\{(\w+)\}/g))
      expect({ name, set: e[name] !== undefined }).toEqual({ name, set: true });
    expect(e.CLICKHOUSE_HOST).toBe('clickhouse');
    const clickhouse = compose.services.clickhouse;
    expect(env(clickhouse).CLICKHOUSE_GRAFANA_PASSWORD).toBe(e.CLICKHOUSE_GRAFANA_PASSWORD);
    expect(clickhouse.volumes).toContain(
      './dashboards/generated/clickhouse/users.d/grafana.xml:/etc/clickhouse-server/users.d/grafana.xml:ro',
    );
    const home = e.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(
      existsSync(join(ROOT, 'dashboards/generated/dashboards', home.slice(GRAFANA_DASHBOARDS_PATH.length + 1))),
    ).toBe(true);
  });
});

describe('deploy/docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8');
  /** Instructions per stage (continuation lines joined). */
  const stages = new Map<string, string[]>();
  let current = '';
  for (const line of dockerfile.replace(/\\\n\s*/g, ' ').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) {
      current = from[1];
      stages.set(current, []);
    } else if (current && line.trim() && !line.trim().startsWith('#')) stages.get(current)!.push(line.trim());
  }

  it('is multi-stage, and every runnable stage runs as a non-root user with a health check', () => {
    expect(stages.size).toBeGreaterThanOrEqual(3);
    for (const target of ['app', 'runtime']) {
      const lines = stages.get(target)!;
      const user = lines.filter((l) => l.startsWith('USER ')).pop();
      expect(user).toBeDefined();
      expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/);
      expect(lines.some((l) => l.startsWith('HEALTHCHECK ') && l.includes('/health/ready'))).toBe(true);
      expect(lines.some((l) => l.startsWith('COPY --from=build') && l.includes('/src/dist'))).toBe(true);
      // Nothing from the build stage's dev dependencies reaches a runnable image.
      expect(lines.some((l) => /COPY --from=build\b.*node_modules/.test(l))).toBe(false);
    }
    expect([...stages.keys()].pop()).toBe('runtime'); // `docker build .` keeps giving the all-in-one daemon
    expect(stages.get('app-deps')!.join(' ')).toMatch(/rm -rf .*node_modules\/@chdb/);
  });
});
