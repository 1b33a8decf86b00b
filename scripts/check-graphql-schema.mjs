// GraphQL schema check (issue "GraphQL API"): the committed SDL must equal what the code generates, and must not break
// clients compared with a previous SDL.
//
//   node scripts/check-graphql-schema.mjs                   # check: schema.graphql current + no breaking change vs git HEAD
//   node scripts/check-graphql-schema.mjs --write           # regenerate schema.graphql from the code
//   node scripts/check-graphql-schema.mjs --against-ref origin/main   # compare with the SDL at another git ref (PRs)
//   node scripts/check-graphql-schema.mjs --against old.graphql       # …or with a file
//   node scripts/check-graphql-schema.mjs --allow-breaking  # report breaking changes without failing (deliberate major change)
//
// The schema is built from the resolver classes (libs/api/src/schema/build-schema.ts) without starting a server: the
// TypeScript sources are compiled on the fly with the project's swc configuration (no build step needed).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SDL_FILE = join(root, 'schema.graphql');

function registerTypeScript() {
  const { transformSync } = require('@swc/core');
  const swcOptions = require(join(root, 'swc.config.js'))();
  const Module = require('node:module');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const alias = /^@x402-ledger\/([^/]+)$/.exec(request);
    return resolveFilename.call(
      this,
      alias ? join(root, 'libs', alias[1], 'src', 'index.ts') : request,
      parent,
      ...rest,
    );
  };
  Module._extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename, sourceMaps: false });
    module._compile(code, filename);
  };
}

function previousSdl() {
  const file = option('--against');
  if (file) return { label: file, sdl: readFileSync(file, 'utf8') };
  const ref = option('--against-ref') ?? 'HEAD';
  try {
    const sdl = execFileSync('git', ['show', `${ref}:schema.graphql`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { label: `${ref}:schema.graphql`, sdl };
  } catch {
    return null;
  }
}

async function main() {
  registerTypeScript();
  const { buildSchemaSdl } = require(join(root, 'libs/api/src/schema/build-schema.ts'));
  const { buildSchema, findBreakingChanges, findDangerousChanges } = require('graphql');
  const generated = await buildSchemaSdl();
  let failed = false;

  if (flag('--write')) {
    writeFileSync(SDL_FILE, generated);
    process.stdout.write(`wrote ${SDL_FILE}\n`);
  } else {
    const committed = existsSync(SDL_FILE) ? readFileSync(SDL_FILE, 'utf8') : '';
    if (committed !== generated) {
      failed = true;
      process.stderr.write(
        'schema.graphql is not what the code generates: run `node scripts/check-graphql-schema.mjs --write` and commit it.\n',
      );
    } else {
      process.stdout.write('schema.graphql is current\n');
    }
  }

  const previous = previousSdl();
  if (!previous) {
    process.stdout.write('no previous SDL to compare with (first version?)\n');
  } else {
    const before = buildSchema(previous.sdl);
    const after = buildSchema(generated);
    const breaking = findBreakingChanges(before, after);
    const dangerous = findDangerousChanges(before, after);
    for (const change of dangerous)
      process.stdout.write(`dangerous change vs ${previous.label}: ${change.type}: ${change.description}\n`);
    for (const change of breaking)
      process.stderr.write(`BREAKING change vs ${previous.label}: ${change.type}: ${change.description}\n`);
    if (breaking.length > 0 && !flag('--allow-breaking')) failed = true;
    if (breaking.length === 0) process.stdout.write(`no breaking changes vs ${previous.label}\n`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
