import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  absolutePath,
  analyticsEnv,
  apiEnv,
  authEnv,
  chainEnv,
  dataEnv,
  eventLogEnv,
  serverEnv,
  sessionsEnv,
} from './env.schema';
import { ConfigErrorCode, ConfigException } from './config.exception';
import { loadConfig, readSecret } from './load-config';

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

export const daemonEnvSchema = serverEnv
  .merge(dataEnv)
  .merge(eventLogEnv)
  .merge(analyticsEnv)
  .merge(chainEnv)
  .merge(authEnv)
  .merge(apiEnv)
  .merge(sessionsEnv);

/** The processes of the product; each loads ONE typed configuration object at start. */
export type AppName = 'daemon' | 'facilitator' | 'sessions' | 'projector' | 'api';

/** Apps that talk to a chain (settlement, signature checks); the others get `chain: { kind: 'none' }`. */
const CHAIN_APPS: readonly AppName[] = ['daemon', 'facilitator', 'sessions'];

/** One app's typed configuration object (the daemon: all modules in one process). */
export interface DaemonConfig {
  app: AppName;
  mode: 'dev' | 'production';
  host: string;
  port: number;
  logLevel: z.infer<typeof serverEnv>['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  dataDir: string;
  eventLogUrl: string;
  clickhouseUrl: string;
  chain:
    | { kind: 'dev'; rpcPort: number }
    | { kind: 'networks-file'; file: string }
    | { kind: 'rpc'; rpcUrl: string }
    | { kind: 'none' };
  facilitatorPrivateKeys: `0x${string}`[];
  adminApiKey: string | undefined;
  sessionPoliciesFile: string | undefined;
  /** The domain (host[:port]) SIWx messages must name: PUBLIC_URL's host, else HOST:PORT. */
  siwxDomain: string;
  /** Secret for wallet sign-in tokens; absent → a random one per process (tokens die with it). */
  apiTokenSecret: string | undefined;
  /** PUBLIC_URL: advertised to the other writer processes (Kafka mode) so a non-owner can name the owner. */
  publicUrl: string | null;
}

export type AppConfig = DaemonConfig;

export function loadDaemonConfig(env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  return loadAppConfig('daemon', env);
}

/** Validates the environment for `app` once; throws a ConfigException listing every problem. */
export function loadAppConfig(app: AppName, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = loadConfig(daemonEnvSchema, env);
  const needsChain = CHAIN_APPS.includes(app);
  const problems: string[] = [];
  const dataDir = absolutePath(e.DATA_DIR);

  const keysRaw = readSecret(e.FACILITATOR_PRIVATE_KEYS, e.FACILITATOR_KEYS_FILE, 'FACILITATOR_PRIVATE_KEYS');
  const facilitatorPrivateKeys = (keysRaw ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((k, i) => {
      if (!PRIVATE_KEY.test(k))
        problems.push(`FACILITATOR_PRIVATE_KEYS: entry ${i + 1} is not a 0x-prefixed 32-byte hex key (value hidden)`);
      return k as `0x${string}`;
    });

  const chain: DaemonConfig['chain'] = !needsChain
    ? { kind: 'none' }
    : e.NETWORKS_FILE
      ? { kind: 'networks-file', file: absolutePath(e.NETWORKS_FILE) }
      : e.RPC_URL
        ? { kind: 'rpc', rpcUrl: e.RPC_URL }
        : { kind: 'dev', rpcPort: e.DEV_CHAIN_RPC_PORT };
  if (e.NETWORKS_FILE && e.RPC_URL) problems.push('RPC_URL: set either NETWORKS_FILE or RPC_URL, not both');
  if (
    (app === 'daemon' || app === 'facilitator') &&
    (chain.kind === 'rpc' || chain.kind === 'networks-file') &&
    facilitatorPrivateKeys.length === 0
  )
    problems.push('FACILITATOR_PRIVATE_KEYS: required when a real chain is configured (or FACILITATOR_KEYS_FILE)');
  if (e.X402_MODE === 'production' && chain.kind === 'dev')
    problems.push(
      'NETWORKS_FILE: production mode needs a real chain (NETWORKS_FILE or RPC_URL); the dev chain is dev-only',
    );

  let adminApiKey = readSecret(e.ADMIN_API_KEY, e.ADMIN_API_KEY_FILE, 'ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 24)
    problems.push('ADMIN_API_KEY: must be at least 24 characters (value hidden)');
  const apiTokenSecret = readSecret(e.API_TOKEN_SECRET, e.API_TOKEN_SECRET_FILE, 'API_TOKEN_SECRET');
  if (apiTokenSecret !== undefined && Buffer.byteLength(apiTokenSecret) < 32)
    problems.push('API_TOKEN_SECRET: must be at least 32 bytes (value hidden)');
  if (apiTokenSecret === undefined && app === 'api' && e.X402_MODE === 'production')
    problems.push('API_TOKEN_SECRET: required for the api app in production (every instance must verify every token)');
  if (problems.length) throw new ConfigException(ConfigErrorCode.INVALID_ENVIRONMENT, problems);
  if (adminApiKey === undefined && e.X402_MODE === 'dev') adminApiKey = devAdminKey(dataDir);

  return {
    app,
    mode: e.X402_MODE,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    dataDir,
    eventLogUrl: e.EVENT_LOG_URL ?? `file:${join(dataDir, 'log')}`,
    clickhouseUrl: e.CLICKHOUSE_URL ?? `chdb:${join(dataDir, 'analytics')}`,
    chain,
    facilitatorPrivateKeys,
    adminApiKey,
    sessionPoliciesFile: e.SESSION_POLICIES_FILE ? absolutePath(e.SESSION_POLICIES_FILE) : undefined,
    siwxDomain: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).host : `${e.HOST}:${e.PORT}`,
    apiTokenSecret,
    publicUrl: e.PUBLIC_URL ?? null,
  };
}

/** Dev mode only: a stable admin key kept in the data folder (mode 0600), generated on first start. */
function devAdminKey(dataDir: string): string {
  const file = join(dataDir, 'dev-admin-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `x402_admin_${randomBytes(24).toString('hex')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
