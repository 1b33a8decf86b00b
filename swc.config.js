// One swc configuration for the build (scripts/build.mjs) and for Jest (@swc/jest).
// Decorator metadata is required by NestJS dependency injection.
'use strict';
/** @param {{ paths?: Record<string,string[]>, baseUrl?: string }} [opts] */
module.exports = function swcOptions(opts = {}) {
  return {
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      keepClassNames: true,
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl, paths: opts.paths } : {}),
    },
  };
};
