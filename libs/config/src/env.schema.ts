import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Environment schemas, one piece per concern. Each app composes the pieces it needs into ONE typed config object,
 * validated once at start (see load-config.ts). Defaults are the embedded single-process mode.
 */

const port = z.coerce.number().int().min(0).max(65535);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

export const EVENT_LOG_URL_PATTERN = /^(file:.+|kafka:\/\/[^/?#]+(\?.*)?)$/;
export const CLICKHOUSE_URL_PATTERN = /^(chdb:.+|https?:\/\/.+)$/;

export const serverEnv = z.object({
  X402_MODE: z.enum(['dev', 'production']).default('dev'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4020),
  LOG_LEVEL: logLevel.default('info'),
  /** Seconds to drain in-flight requests on SIGTERM/SIGINT before forcing exit. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
});

export const dataEnv = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
});

export const eventLogEnv = z.object({
  /** `file:<dir>` (embedded LMDB log, default `file:$DATA_DIR/log`) or `kafka://host:9092,host2:9092?topic=…`. */
  EVENT_LOG_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(EVENT_LOG_URL_PATTERN, 'must be file:<dir> or kafka://host:port[,host:port][?topic=…]').optional(),
  ),
});

export const analyticsEnv = z.object({
  /** `chdb:<dir>` (embedded ClickHouse engine, default `chdb:$DATA_DIR/analytics`) or `http(s)://user:pass@host:8123/db`. */
  CLICKHOUSE_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(CLICKHOUSE_URL_PATTERN, 'must be chdb:<dir> or http(s)://host:port[/database]').optional(),
  ),
});

export const chainEnv = z.object({
  /** JSON networks file (CAIP-2 ids, RPC URLs, assets, signers). Without it and without RPC_URL: embedded dev chain. */
  NETWORKS_FILE: optionalString,
  /** Shortcut for one network: RPC_URL + NETWORK (CAIP-2) + ASSET_* — see docs. */
  RPC_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  /** Loopback port the embedded dev chain serves JSON-RPC on (0 = any free port). */
  DEV_CHAIN_RPC_PORT: port.default(8545),
  /** Facilitator signer private keys, comma separated (or FACILITATOR_KEYS_FILE). Never logged. */
  FACILITATOR_PRIVATE_KEYS: optionalString,
  FACILITATOR_KEYS_FILE: optionalString,
});

export const sessionsEnv = z.object({
  /** JSON file of session policies per resource (what a payment buys); see docs/adr/0007-sessions.md. */
  SESSION_POLICIES_FILE: optionalString,
});

export const authEnv = z.object({
  /** Admin API key (or ADMIN_API_KEY_FILE). In dev mode one is generated into $DATA_DIR when absent. Never logged. */
  ADMIN_API_KEY: optionalString,
  ADMIN_API_KEY_FILE: optionalString,
});

export const apiEnv = z.object({
  /** Public origin of this service (e.g. https://ledger.example.com); its host is the SIWx domain wallets sign for. */
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  /** HS256 secret (≥ 32 bytes) for wallet sign-in tokens (or API_TOKEN_SECRET_FILE). Never logged. */
  API_TOKEN_SECRET: optionalString,
  API_TOKEN_SECRET_FILE: optionalString,
});

export type ServerEnv = z.infer<typeof serverEnv>;

/** Resolves a path relative to the working directory (data folders, files). */
export function absolutePath(p: string): string {
  return isAbsolute(p) ? p : resolve(process.cwd(), p);
}
