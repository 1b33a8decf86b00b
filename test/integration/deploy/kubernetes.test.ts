import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseClickHouseUrl } from '@x402-ledger/analytics';
import { parseEventLogUrl } from '@x402-ledger/event-log';
import Ajv, { type ValidateFunction } from 'ajv';

import {
  KustomizeRenderError,
  overlayDirs,
  renderKustomization,
  renderToYaml,
  strategicMerge,
  type K8sObject,
} from '../../../deploy/k8s/tools/kustomize-render';
import { APPS, appEnvProblems, type ScaleOutApp } from './support/app-env';

const ROOT = join(__dirname, '../../..');
const K8S = join(ROOT, 'deploy/k8s');

interface Container {
  name: string;
  image: string;
  command: string[];
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  startupProbe?: { httpGet: { path: string; port: string | number } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string }[] } }[];
}
interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

/** The vendored strict schemas, one validator per apiVersion/kind. */
function validators(): Map<string, ValidateFunction> {
  const schema = JSON.parse(readFileSync(join(ROOT, 'deploy/schemas/kubernetes-1.36.json'), 'utf8')) as {
    $id: string;
    'x-kinds': Record<string, string>;
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(schema);
  return new Map(
    Object.entries(schema['x-kinds']).map(([kind, ref]) => [kind, ajv.compile({ $ref: `${schema.$id}${ref}` })]),
  );
}

const gvk = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s (Kustomize base + overlays)', () => {
  const schemas = validators();

  it('the vendored schemas reject what the API server rejects', () => {
    const [dev] = overlayDirs(K8S);
    const deployment = renderKustomization(dev).find((o) => o.kind === 'Deployment') as Deployment;
    const validate = schemas.get('apps/v1/Deployment')!;
    expect(validate(deployment)).toBe(true);
    const typo = structuredClone(deployment);
    (typo.spec.template.spec.containers[0] as unknown as Record<string, unknown>).readinesProbe = {};
    expect(validate(typo)).toBe(false);
    const noContainers = structuredClone(deployment);
    delete (noContainers.spec.template.spec as Partial<PodSpec>).containers;
    expect(validate(noContainers)).toBe(false);
    expect(validate({ ...deployment, apiVersion: 'apps/v1beta1' })).toBe(false);
  });

  for (const overlay of overlayDirs(K8S)) {
    const name = overlay.split('/').pop()!;
    describe(`overlays/${name}`, () => {
      const objects = renderKustomization(overlay);
      const deployments = objects.filter((o): o is Deployment => o.kind === 'Deployment');
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'x402-config')!;
      const configData = config.data as Record<string, string>;

      it('renders objects that all validate against the Kubernetes 1.36 schemas', () => {
        expect(renderToYaml(overlay)).toContain('kind: Deployment');
        const problems: string[] = [];
        for (const o of objects) {
          const validate = schemas.get(gvk(o));
          if (!validate) {
            problems.push(`${gvk(o)} ${o.metadata.name}: no vendored schema for this kind`);
            continue;
          }
          const valid: boolean = validate(o);
          if (!valid) problems.push(`${gvk(o)} ${o.metadata.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
        }
        expect(problems).toEqual([]);
      });

      it('puts everything in its namespace and deploys the four apps from the pinned image', () => {
        const ns = objects.find((o) => o.kind === 'Namespace')!;
        expect(ns).toBeDefined();
        for (const o of objects.filter((x) => x.kind !== 'Namespace'))
          expect(o.metadata.namespace).toBe(ns.metadata.name);
        expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
        for (const d of deployments) {
          const [c] = d.spec.template.spec.containers;
          expect(c.image).toMatch(/^[\w./-]+:[\w.-]+$/);
          expect(c.command).toEqual(['node', `dist/apps/${d.metadata.name}/src/main.js`]);
        }
      });

      it('probes /health/live and /health/ready on port 4020, sets requests, runs non-root and read-only', () => {
        for (const d of deployments) {
          const pod = d.spec.template.spec;
          expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
          expect(pod.containers).toHaveLength(1);
          const [c] = pod.containers;
          const port = (p: string | number) =>
            typeof p === 'number' ? p : c.ports.find((x) => x.name === p)?.containerPort;
          expect({
            app: d.metadata.name,
            live: c.livenessProbe?.httpGet.path,
            ready: c.readinessProbe?.httpGet.path,
          }).toEqual({
            app: d.metadata.name,
            live: '/health/live',
            ready: '/health/ready',
          });
          expect(port(c.livenessProbe!.httpGet.port)).toBe(4020);
          expect(port(c.readinessProbe!.httpGet.port)).toBe(4020);
          expect(port(c.startupProbe!.httpGet.port)).toBe(4020);
          expect(Object.keys(c.resources.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
          expect(c.resources.limits?.memory).toBeDefined();
          expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
          expect(configData.PORT).toBe('4020');
        }
      });

      it('gives every app an environment its config schema accepts', () => {
        const problems: string[] = [];
        for (const d of deployments) {
          const [c] = d.spec.template.spec.containers;
          const env: Record<string, string> = {};
          for (const from of c.envFrom ?? []) {
            if (from.configMapRef) {
              const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef!.name);
              if (!cm) problems.push(`${d.metadata.name}: ConfigMap ${from.configMapRef.name} is not rendered`);
              Object.assign(env, (cm?.data as Record<string, string>) ?? {});
            } else if (!from.secretRef?.optional) {
              problems.push(`${d.metadata.name}: a required envFrom Secret cannot be checked`);
            }
          }
          for (const e of c.env ?? []) env[e.name] = e.value;
          problems.push(...appEnvProblems(d.metadata.name as ScaleOutApp, env));
          // Files the env names are mounted from the x402-secrets Secret, and the keys are documented.
          const mounted = (d.spec.template.spec.volumes ?? []).find((v) => v.secret?.secretName === 'x402-secrets');
          const keys = (mounted?.secret?.items ?? []).map((i) => i.key);
          for (const [k, v] of Object.entries(env)) {
            if (k.endsWith('_FILE') && !keys.includes(v.replace('/run/secrets/', '')))
              problems.push(`${d.metadata.name}: ${k}=${v} is not mounted`);
          }
          const readme = readFileSync(join(K8S, 'README.md'), 'utf8');
          for (const key of keys)
            if (!readme.includes(`--from-file=${key}=`)) problems.push(`secret key ${key} is not documented`);
        }
        expect(problems).toEqual([]);
      });

      it('has a PodDisruptionBudget per app and Services that select their pods by a named port', () => {
        const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as (K8sObject & {
          spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number };
        })[];
        for (const d of deployments) {
          const labels = d.spec.template.metadata.labels;
          expect(matches(d.spec.selector.matchLabels, labels)).toBe(true);
          const own = pdbs.filter((p) => matches(p.spec.selector.matchLabels, labels));
          expect({ app: d.metadata.name, pdbs: own.length }).toEqual({ app: d.metadata.name, pdbs: 1 });
        }
        const services = objects.filter((o) => o.kind === 'Service') as (K8sObject & {
          spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
        })[];
        expect(services.map((s) => s.metadata.name).sort()).toEqual(['api', 'facilitator', 'sessions']);
        for (const s of services) {
          const target = deployments.filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
          expect(target).toHaveLength(1);
          for (const p of s.spec.ports)
            expect(target[0].spec.template.spec.containers[0].ports.map((x) => x.name)).toContain(p.targetPort);
        }
      });

      it('scales facilitator and api horizontally, sessions and projector by partitions', () => {
        const log = parseEventLogUrl(configData.EVENT_LOG_URL);
        if (log.kind !== 'kafka') throw new Error('the scale-out apps need Kafka');
        const { partitions } = log;
        expect(partitions).toBeGreaterThan(0);
        const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as (K8sObject & {
          spec: { scaleTargetRef: { kind: string; name: string }; maxReplicas: number };
        })[];
        for (const h of hpas) {
          expect(['facilitator', 'api']).toContain(h.spec.scaleTargetRef.name);
          expect(deployments.some((d) => d.metadata.name === h.spec.scaleTargetRef.name)).toBe(true);
          expect(
            deployments.find((d) => d.metadata.name === h.spec.scaleTargetRef.name)!.spec.replicas,
          ).toBeUndefined();
        }
        for (const app of ['sessions', 'projector']) {
          const replicas = deployments.find((d) => d.metadata.name === app)!.spec.replicas ?? 1;
          expect({ app, withinPartitions: replicas <= partitions }).toEqual({ app, withinPartitions: true });
        }
        if (name === 'production') expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['api', 'facilitator']);
      });
    });
  }

  it('sets the Kafka and ClickHouse endpoints per overlay', () => {
    const [dev, production] = overlayDirs(K8S).map((o) => {
      const cm = renderKustomization(o).find((x) => x.kind === 'ConfigMap')!;
      return cm.data as Record<string, string>;
    });
    expect(dev.EVENT_LOG_URL).not.toBe(production.EVENT_LOG_URL);
    expect(dev.CLICKHOUSE_URL).not.toBe(production.CLICKHOUSE_URL);
    const log = parseEventLogUrl(production.EVENT_LOG_URL);
    expect(log).toMatchObject({
      kind: 'kafka',
      brokers: expect.arrayContaining([expect.stringMatching(/^kafka-0\./)]),
      replication: 3,
    });
    expect(log.kind === 'kafka' && log.brokers).toHaveLength(3);
    expect(parseClickHouseUrl(production.CLICKHOUSE_URL).kind).toBe('http');
    expect(parseClickHouseUrl(dev.CLICKHOUSE_URL).kind).toBe('http');
  });
});

describe('kustomize-render', () => {
  it('merges strategic patches by the list merge keys and replaces other lists', () => {
    const target = {
      containers: [{ name: 'a', env: [{ name: 'X', value: '1' }], args: ['x'] }, { name: 'b' }],
      volumes: [{ name: 'v', emptyDir: {} }],
    };
    const patch = {
      containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }], args: ['y'] }],
      volumes: [{ name: 'w' }],
    };
    expect(strategicMerge(target, patch)).toEqual({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
          args: ['y'],
        },
        { name: 'b' },
      ],
      volumes: [{ name: 'v', emptyDir: {} }, { name: 'w' }],
    });
    expect(() => strategicMerge({}, { $patch: 'delete' })).toThrow(KustomizeRenderError);
  });

  it('refuses kustomization fields it does not implement and generators that would get a hash suffix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-kustomize-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: x-\n',
      );
      expect(() => renderKustomization(dir)).toThrow(/namePrefix|Unrecognized key/);
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator:\n  - name: c\n    literals: [A=1]\n',
      );
      expect(() => renderKustomization(dir)).toThrow(/disableNameSuffixHash/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
