import { transformFileSync } from '@swc/core';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const swcOptions = require('../../../../swc.config.js') as (o?: {
  baseUrl?: string;
  paths?: Record<string, string[]>;
}) => Record<string, unknown>;

export const REPO_ROOT = resolve(__dirname, '../../../..');

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts') && !p.endsWith('.spec.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

/**
 * Compiles libs/event-log (and libs/ledger, which it may import at run time once the codec points there) to plain
 * CommonJS under <repo>/.tmp, so that child processes (crash tests) can `require` the real adapters with Node
 * alone. The folder sits inside the repo so `node_modules` resolves as usual. Returns the folder; remove it with
 * removeBuild().
 */
export function buildEventLogForChildren(): string {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  const out = mkdtempSync(join(REPO_ROOT, '.tmp', 'event-log-build-'));
  const options = swcOptions({ baseUrl: REPO_ROOT, paths: { '@x402-ledger/*': ['libs/*/src'] } });
  for (const lib of ['event-log', 'ledger']) {
    for (const file of tsFiles(join(REPO_ROOT, 'libs', lib, 'src'))) {
      let code: string;
      try {
        code = transformFileSync(file, { ...options, filename: file, sourceMaps: false, swcrc: false }).code;
      } catch (error) {
        if (lib === 'event-log') throw error;
        continue; // another lib mid-edit: only fatal if the event log really requires it (the child then fails loudly)
      }
      const target = join(out, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }
  }
  return out;
}

export function removeBuild(dir: string): void {
  if (dir.startsWith(join(REPO_ROOT, '.tmp', 'event-log-build-'))) rmSync(dir, { recursive: true, force: true });
}
