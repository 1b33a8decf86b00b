// Generates the Grafana dashboards (dashboards/src, TypeScript + @grafana/grafana-foundation-sdk) into the committed
// dashboards/generated/ folder: one JSON per dashboard, the Grafana provisioning (data source + dashboard provider) and
// the read-only ClickHouse user for Grafana.
//
//   npm run dashboards                               write dashboards/generated/
//   node scripts/generate-dashboards.mjs --check     exit 1 when dashboards/generated/ differs from what the code
//                                                    generates (a changed, missing or extra file)
import { transformSync } from '@swc/core';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const swcOptions = require('../swc.config.js');
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'dashboards/generated');

// Load the TypeScript sources directly: compile each .ts file with the project's swc options when it is required.
const options = swcOptions();
require.extensions['.ts'] = (module, filename) => {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, sourceMaps: 'inline', filename, swcrc: false });
  module._compile(code, filename);
};

async function listFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
}

async function readOrNull(path) {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

async function main() {
  const check = process.argv.includes('--check');
  const { generatedFiles } = require(join(root, 'dashboards/src/generated-files.ts'));
  const files = generatedFiles();
  const wanted = new Set(files.map((f) => f.path));
  const existing = await listFiles(outDir);

  if (check) {
    const stale = [];
    for (const f of files) if ((await readOrNull(join(outDir, f.path))) !== f.content) stale.push(f.path);
    for (const p of existing) if (!wanted.has(p)) stale.push(`${p} (not generated any more)`);
    if (stale.length > 0) {
      process.stderr.write(`stale dashboards/generated files (run npm run dashboards):\n  ${stale.join('\n  ')}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`dashboards/generated is current (${files.length} files)\n`);
    return;
  }

  for (const p of existing) if (!wanted.has(p)) await rm(join(outDir, p));
  for (const f of files) {
    const target = join(outDir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
  process.stdout.write(`wrote ${files.length} files into ${relative(root, outDir)}/\n`);
}

await main();
