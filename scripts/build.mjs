// Compiles apps/, libs/ and bench/ to dist/ with swc (fast, no type check: `npm run typecheck` does that).
// Path aliases (@x402-ledger/*) are rewritten to relative requires at compile time.
// Non-TypeScript assets next to the sources (SQL migrations, JSON) are copied as they are.
import { transformFile } from '@swc/core';
import { createRequire } from 'node:module';
import { mkdir, readdir, writeFile, copyFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const swcOptions = require('../swc.config.js');
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist');
const roots = ['apps', 'libs', 'bench'];
const assetExt = ['.sql', '.json', '.html', '.css', '.js', '.graphql'];

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'generated') continue;
      yield* walk(p);
    } else yield p;
  }
}

if (process.env.X402_SKIP_BUILD === '1' && process.argv.includes('--if-needed')) {
  process.stdout.write('build skipped (X402_SKIP_BUILD=1)\n');
  process.exit(0);
}
const started = Date.now();
await rm(out, { recursive: true, force: true });
const options = swcOptions({ baseUrl: root, paths: { '@x402-ledger/*': ['libs/*/src'] } });
let count = 0;
const jobs = [];
for (const r of roots) {
  for await (const file of walk(join(root, r))) {
    const rel = relative(root, file);
    if (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.spec.ts')) {
      const target = join(out, rel.replace(/\.ts$/, '.js'));
      jobs.push(
        (async () => {
          const { code, map } = await transformFile(file, { ...options, filename: file, sourceFileName: file });
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
          if (map) await writeFile(`${target}.map`, map);
          count++;
        })(),
      );
    } else if (assetExt.some((ext) => file.endsWith(ext)) && !file.endsWith('.spec.ts')) {
      const target = join(out, rel);
      jobs.push(mkdir(dirname(target), { recursive: true }).then(() => copyFile(file, target)));
    }
  }
}
await Promise.all(jobs);
process.stdout.write(`built ${count} files into dist/ in ${Date.now() - started} ms\n`);
