'use strict';
// Lets a plain `node` child process require the project's TypeScript sources: `.ts` files are compiled on load with
// the project's swc options, and `@x402-ledger/<lib>` resolves to libs/<lib>/src/index.ts (as in Jest and the build).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const options = require(path.join(ROOT, 'swc.config.js'))();

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const lib = /^@x402-ledger\/([^/]+)$/.exec(request);
  const target = lib ? path.join(ROOT, 'libs', lib[1], 'src', 'index.ts') : request;
  return resolveFilename.call(this, target, parent, ...rest);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename, swcrc: false, sourceMaps: 'inline' });
  module._compile(code, filename);
};
