import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- <suite> [--quick]` — runs bench/suites/<suite>.bench.ts. Progress goes to stdout as plain lines;
 * the LAST line is always one JSON object of the figures (so runs can be compared), also on failure ({"error": …}).
 */
type Figures = Record<string, number | string | boolean | null>;
type Suite = (opts: { quick: boolean; log: (line: string) => void }) => Promise<Figures>;

async function main(): Promise<number> {
  // Measure the production configuration (the Docker image sets NODE_ENV=production): graphql-js, for one, runs
  // development-only checks otherwise. Set before any suite (and so graphql) is loaded.
  process.env.NODE_ENV ??= 'production';
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const name = args.find((a) => !a.startsWith('--'));
  const dir = join(__dirname, 'suites');
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .sort();
  if (!name || !available.includes(name)) {
    process.stdout.write(`usage: npm run bench -- <suite> [--quick]\nsuites: ${available.join(', ')}\n`);
    process.stdout.write(
      `${JSON.stringify({ error: name ? `unknown suite ${name}` : 'no suite given', available: available.join(',') })}\n`,
    );
    return 2;
  }
  const mod = (await import(join(dir, `${name}.bench.js`))) as { default: Suite };
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${name}] ${line}\n`);
  try {
    const figures = await mod.default({ quick, log });
    process.stdout.write(
      `${JSON.stringify({ suite: name, quick, node: process.version, durationSeconds: Math.round((Date.now() - started) / 100) / 10, ...figures })}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stdout.write(
      `${JSON.stringify({ suite: name, quick, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    return 1;
  }
}

main().then((code) => process.exit(code));
