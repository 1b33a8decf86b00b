import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';

/**
 * A small, strict renderer for the Kustomize subset deploy/k8s uses, so CI can render and validate the manifests
 * without kubectl. It implements the same semantics as `kubectl kustomize` for exactly these fields and refuses any
 * other field (so a manifest can never silently mean something else here than in a cluster):
 *
 * - `resources`: files (multi-document YAML) and directories holding a kustomization.yaml (rendered first);
 * - `configMapGenerator` (`literals`; behavior create | merge | replace), only with
 *   `generatorOptions.disableNameSuffixHash: true` (no content hash suffix to compute);
 * - `labels` (metadata labels only: `includeSelectors` / `includeTemplates` must stay false);
 * - `patches` with a `path` to strategic-merge patches (merge keys: containers/initContainers/env/volumes by name,
 *   container ports by containerPort, volumeMounts by mountPath; other lists are replaced; no `$patch` directives);
 * - `namespace`, `images` (newName / newTag), `replicas`.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export class KustomizeRenderError extends Error {
  override readonly name = 'KustomizeRenderError';
}

const kustomizationSchema = z.strictObject({
  apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
  kind: z.literal('Kustomization'),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .optional(),
  resources: z.array(z.string().min(1)).default([]),
  labels: z
    .array(
      z.strictObject({
        pairs: z.record(z.string()),
        includeSelectors: z.literal(false).optional(),
        includeTemplates: z.literal(false).optional(),
      }),
    )
    .default([]),
  generatorOptions: z.strictObject({ disableNameSuffixHash: z.boolean().optional() }).optional(),
  configMapGenerator: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        behavior: z.enum(['create', 'merge', 'replace']).default('create'),
        literals: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*=/)).default([]),
      }),
    )
    .default([]),
  patches: z.array(z.strictObject({ path: z.string().min(1) })).default([]),
  images: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        newName: z.string().min(1).optional(),
        newTag: z.string().min(1).optional(),
      }),
    )
    .default([]),
  replicas: z.array(z.strictObject({ name: z.string().min(1), count: z.number().int().min(0) })).default([]),
});
export type Kustomization = z.output<typeof kustomizationSchema>;

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
]);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new KustomizeRenderError(`${dir}: no kustomization.yaml`);
  const parsed = kustomizationSchema.safeParse(parseYaml(file)[0]);
  if (!parsed.success) {
    throw new KustomizeRenderError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

function parseYaml(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: false });
  return docs
    .map((d) => {
      if (d.errors.length) throw new KustomizeRenderError(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function asObject(file: string, doc: unknown): K8sObject {
  const o = doc as Partial<K8sObject>;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.apiVersion !== 'string' ||
    typeof o.kind !== 'string' ||
    typeof o.metadata?.name !== 'string'
  ) {
    throw new KustomizeRenderError(`${file}: every document needs apiVersion, kind and metadata.name`);
  }
  return o as K8sObject;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The merge key of a list field in the strategic merge patches this subset supports (null: the list is replaced). */
function mergeKeyOf(field: string, items: unknown[]): string | null {
  if (field === 'containers' || field === 'initContainers' || field === 'env' || field === 'volumes') return 'name';
  if (field === 'volumeMounts') return 'mountPath';
  if (field === 'ports' && items.every((i) => isRecord(i) && 'containerPort' in i)) return 'containerPort';
  return null;
}

export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (isRecord(patch)) {
    if (Object.keys(patch).some((k) => k.startsWith('$')))
      throw new KustomizeRenderError(`$ directives are not supported (${field})`);
    const base: Record<string, unknown> = isRecord(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) base[k] = v === null ? undefined : strategicMerge(base[k], v, k);
    for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
    return base;
  }
  if (Array.isArray(patch)) {
    const mergeKey = mergeKeyOf(field, patch);
    if (!mergeKey || !Array.isArray(target)) return structuredClone(patch);
    const out = [...target];
    for (const item of patch) {
      const id = (item as Record<string, unknown>)[mergeKey];
      const at = out.findIndex((t) => isRecord(t) && t[mergeKey] === id);
      if (at === -1) out.push(structuredClone(item));
      else out[at] = strategicMerge(out[at], item, field);
    }
    return out;
  }
  return patch;
}

function podSpecOf(o: K8sObject): Record<string, unknown> | null {
  const spec = o.spec as Record<string, unknown> | undefined;
  const template = spec?.template as Record<string, unknown> | undefined;
  return WORKLOADS.has(o.kind) && isRecord(template?.spec) ? (template!.spec as Record<string, unknown>) : null;
}

function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

/** Renders the kustomization in `dir` (and everything it includes) to the list of objects `kubectl kustomize` prints. */
export function renderKustomization(dir: string): K8sObject[] {
  const root = resolve(dir);
  const k = readKustomization(root);
  let objects: K8sObject[] = [];

  for (const entry of k.resources) {
    const path = resolve(root, entry);
    if (!existsSync(path)) throw new KustomizeRenderError(`${root}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...parseYaml(path).map((doc) => asObject(path, doc)));
  }

  if (k.configMapGenerator.length && k.generatorOptions?.disableNameSuffixHash !== true) {
    throw new KustomizeRenderError(
      `${root}: configMapGenerator needs generatorOptions.disableNameSuffixHash: true here`,
    );
  }
  for (const g of k.configMapGenerator) {
    const data = Object.fromEntries(g.literals.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name);
    if (g.behavior === 'create') {
      if (existing) throw new KustomizeRenderError(`${root}: ConfigMap ${g.name} already exists (use behavior: merge)`);
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
    } else {
      if (!existing) throw new KustomizeRenderError(`${root}: ConfigMap ${g.name} to ${g.behavior} does not exist`);
      existing.data = g.behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
    }
  }

  for (const l of k.labels) {
    for (const o of objects) o.metadata.labels = { ...(o.metadata.labels ?? {}), ...l.pairs };
  }

  for (const p of k.patches) {
    const file = resolve(root, p.path);
    for (const doc of parseYaml(file)) {
      const patch = asObject(file, doc);
      const at = objects.findIndex(
        (o) => o.kind === patch.kind && o.apiVersion === patch.apiVersion && o.metadata.name === patch.metadata.name,
      );
      if (at === -1) throw new KustomizeRenderError(`${file}: no ${patch.kind} ${patch.metadata.name} to patch`);
      objects[at] = strategicMerge(objects[at], patch) as K8sObject;
    }
  }

  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }

  for (const img of k.images) {
    let used = false;
    for (const o of objects) {
      const pod = podSpecOf(o);
      for (const c of [
        ...((pod?.containers as Record<string, string>[]) ?? []),
        ...((pod?.initContainers as Record<string, string>[]) ?? []),
      ]) {
        const parsed = parseImage(c.image);
        if (parsed.name !== img.name) continue;
        used = true;
        const tag = img.newTag ?? parsed.tag;
        c.image = `${img.newName ?? parsed.name}${tag ? `:${tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
      }
    }
    if (!used) throw new KustomizeRenderError(`${root}: image ${img.name} is used by no container`);
  }

  for (const r of k.replicas) {
    const target = objects.filter((o) => WORKLOADS.has(o.kind) && o.metadata.name === r.name);
    if (target.length === 0) throw new KustomizeRenderError(`${root}: replicas for unknown workload ${r.name}`);
    for (const o of target) (o.spec as Record<string, unknown>).replicas = r.count;
  }

  const seen = new Set<string>();
  for (const o of objects) {
    if (seen.has(key(o))) throw new KustomizeRenderError(`${root}: ${key(o)} is defined twice`);
    seen.add(key(o));
  }
  objects = objects.map((o) => structuredClone(o));
  return objects;
}

/** The rendered objects as one multi-document YAML stream (what `kubectl apply -f -` takes). */
export function renderToYaml(dir: string): string {
  return renderKustomization(dir)
    .map((o) => stringify(o))
    .join('---\n');
}

/** The overlays shipped in deploy/k8s/overlays. */
export function overlayDirs(k8sRoot = join(dirname(__dirname))): string[] {
  const overlays = join(k8sRoot, 'overlays');
  return ['dev', 'production'].map((o) => join(overlays, o));
}
