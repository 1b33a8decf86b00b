import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as config from '@x402-ledger/config';
import { z } from 'zod';

export const APPS = ['facilitator', 'sessions', 'projector', 'api'] as const;
export type ScaleOutApp = (typeof APPS)[number];

/**
 * The env schema an app validates at start: `<app>EnvSchema` when libs/config exports one, else the shared
 * `daemonEnvSchema` (today every app composes the same pieces and loads it through `loadAppConfig(app)`).
 */
export function envSchemaOf(app: ScaleOutApp): z.AnyZodObject {
  const own = (config as Record<string, unknown>)[`${app}EnvSchema`];
  return (own instanceof z.ZodObject ? own : config.daemonEnvSchema) as z.AnyZodObject;
}

/** Plausible stand-ins for the secret files a deployment mounts (never real secrets). */
const SECRET_STAND_INS: Record<string, string> = {
  FACILITATOR_KEYS_FILE: `0x${'11'.repeat(32)}\n`,
  ADMIN_API_KEY_FILE: 'x402_admin_test_stand_in_key_000000\n',
  NETWORKS_FILE: '{"networks":[]}\n',
  API_TOKEN_SECRET_FILE: 'stand-in-token-secret-0123456789abcdef\n',
};

/**
 * Problems with one app's environment as a deployment file sets it: variables the app's schema does not know (a typo
 * would be ignored silently at start), and whatever the app's own loader rejects — run for real, with the mounted
 * secret files replaced by stand-ins in a temp folder.
 */
export function appEnvProblems(app: ScaleOutApp, env: Record<string, string>): string[] {
  const schema = envSchemaOf(app);
  const known = new Set(Object.keys(schema.shape));
  const problems = Object.keys(env)
    .filter((k) => !known.has(k))
    .map((k) => `${app}: ${k} is not a variable of the app's config schema`);
  const dir = mkdtempSync(join(tmpdir(), 'x402-deploy-env-'));
  try {
    const local: Record<string, string> = { ...env };
    for (const [name, content] of Object.entries(SECRET_STAND_INS)) {
      if (local[name] === undefined) continue;
      const file = join(dir, name.toLowerCase());
      writeFileSync(file, content);
      local[name] = file;
    }
    local.DATA_DIR = join(dir, 'data');
    const loadAppConfig = (config as Record<string, unknown>).loadAppConfig as
      ((a: string, e: NodeJS.ProcessEnv) => unknown) | undefined;
    try {
      if (loadAppConfig) loadAppConfig(app, local);
      else config.loadConfig(schema, local);
    } catch (error) {
      problems.push(`${app}: ${(error as Error).message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}
