// Vendors the JSON schemas of the Kubernetes kinds deploy/k8s uses, for offline validation in CI (kubectl is not
// installed and tests have no internet). Input: the official Kubernetes OpenAPI v2 document (swagger.json of a release
// branch, e.g. kubernetes-client/python `kubernetes/swagger.json.unprocessed`, generated from kubernetes/kubernetes
// `api/openapi-spec/swagger.json`). Output: kubernetes-<version>.json, a JSON schema (draft-07) holding the transitive
// closure of the definitions those kinds need, made strict the way kubeconform's schemas are:
//   - `additionalProperties: false` on every object with declared properties (a misspelt field fails),
//   - apiVersion / kind pinned to the kind's group-version-kind,
//   - IntOrString and Quantity accept what the API server accepts (string or integer / number),
//   - descriptions, formats and x-kubernetes-* annotations dropped (they do not validate anything).
//
//   node deploy/schemas/extract-kubernetes-schemas.mjs <swagger.json> <version> > deploy/schemas/kubernetes-<version>.json
// (the output is formatted with the repository's prettier settings, so `npm run lint` accepts it as it is)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import prettier from 'prettier';

export const KINDS = [
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
];

const [input, version] = process.argv.slice(2);
if (!input || !version) {
  process.stderr.write('usage: extract-kubernetes-schemas.mjs <swagger.json> <version>\n');
  process.exit(2);
}
const swagger = JSON.parse(readFileSync(input, 'utf8'));
const all = swagger.definitions;

const SPECIAL = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'format' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
      continue;
    }
    out[key] = clean(value);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function refsOf(node, found) {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.add(v.replace('#/definitions/', ''));
      else refsOf(v, found);
    }
  }
}

const definitions = {};
const queue = [...KINDS];
while (queue.length) {
  const name = queue.shift();
  if (definitions[name]) continue;
  if (SPECIAL[name]) {
    definitions[name] = SPECIAL[name];
    continue;
  }
  const def = all[name];
  if (!def) throw new Error(`definition ${name} not found`);
  const schema = clean(def);
  const gvk = def['x-kubernetes-group-version-kind'];
  if (KINDS.includes(name)) {
    const [{ group, version: v, kind }] = gvk;
    schema.properties.apiVersion = { type: 'string', enum: [group ? `${group}/${v}` : v] };
    schema.properties.kind = { type: 'string', enum: [kind] };
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  }
  definitions[name] = schema;
  const refs = new Set();
  refsOf(schema, refs);
  queue.push(...refs);
}

const sorted = Object.fromEntries(
  Object.keys(definitions)
    .sort()
    .map((k) => [k, definitions[k]]),
);
const kinds = Object.fromEntries(
  KINDS.map((name) => {
    const [{ group, version: v, kind }] = all[name]['x-kubernetes-group-version-kind'];
    return [`${group ? `${group}/${v}` : v}/${kind}`, `#/definitions/${name}`];
  }),
);
const text = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `kubernetes-${version}.json`,
  title: `Kubernetes ${version} schemas for the kinds deploy/k8s uses (strict)`,
  'x-kinds': kinds,
  definitions: sorted,
});
const here = join(new URL('.', import.meta.url).pathname, `kubernetes-${version}.json`);
const options = (await prettier.resolveConfig(here)) ?? {};
process.stdout.write(await prettier.format(text, { ...options, parser: 'json' }));
