import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigErrorCode, ConfigException } from './config.exception';
import { loadAppConfig, loadDaemonConfig } from './daemon.config';

describe('loadDaemonConfig', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'x402-config-'));

  it('defaults to the embedded mode: loopback, port 4020, file log, chDB, dev chain', () => {
    const dir = dataDir();
    const sut = loadDaemonConfig({ DATA_DIR: dir });
    expect(sut).toMatchObject({
      mode: 'dev',
      host: '127.0.0.1',
      port: 4020,
      dataDir: dir,
      eventLogUrl: `file:${join(dir, 'log')}`,
      clickhouseUrl: `chdb:${join(dir, 'analytics')}`,
      chain: { kind: 'dev', rpcPort: 8545 },
      facilitatorPrivateKeys: [],
    });
  });

  it('derives the SIWx domain from PUBLIC_URL (else HOST:PORT) and checks the API token secret', () => {
    const dir = dataDir();
    expect(loadDaemonConfig({ DATA_DIR: dir, PORT: '4555' }).siwxDomain).toBe('127.0.0.1:4555');
    expect(loadDaemonConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://ledger.example.com/app' }).siwxDomain).toBe(
      'ledger.example.com',
    );
    const secretFile = join(dir, 'token-secret');
    writeFileSync(secretFile, `${'s'.repeat(40)}\n`);
    expect(loadDaemonConfig({ DATA_DIR: dir, API_TOKEN_SECRET_FILE: secretFile }).apiTokenSecret).toBe('s'.repeat(40));
    const short = () => loadDaemonConfig({ DATA_DIR: dir, API_TOKEN_SECRET: 'too-short-secret' });
    expect(short).toThrow(/API_TOKEN_SECRET: must be at least 32 bytes \(value hidden\)/);
    expect(short).not.toThrow(/too-short-secret/);
    const prodApi = () =>
      loadAppConfig('api', { DATA_DIR: dir, X402_MODE: 'production', ADMIN_API_KEY: 'a'.repeat(30) });
    expect(prodApi).toThrow(/API_TOKEN_SECRET: required for the api app in production/);
  });

  it('generates a dev admin key once, stores it 0600 and reuses it on the next start', () => {
    const dir = dataDir();
    const first = loadDaemonConfig({ DATA_DIR: dir }).adminApiKey;
    const second = loadDaemonConfig({ DATA_DIR: dir }).adminApiKey;
    expect(first).toMatch(/^x402_admin_[0-9a-f]{48}$/);
    expect(second).toBe(first);
    expect(statSync(join(dir, 'dev-admin-api-key')).mode & 0o777).toBe(0o600);
  });

  it('lists every problem in one message, not just the first', () => {
    let error: unknown;
    try {
      loadDaemonConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        X402_MODE: 'staging',
        EVENT_LOG_URL: 'redis://x',
        CLICKHOUSE_URL: 'mysql://y',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigException);
    const sut = error as ConfigException;
    expect(sut.code).toBe(ConfigErrorCode.INVALID_ENVIRONMENT);
    expect(sut.problems).toHaveLength(5);
    for (const name of ['PORT', 'LOG_LEVEL', 'X402_MODE', 'EVENT_LOG_URL', 'CLICKHOUSE_URL']) {
      expect(sut.message).toContain(name);
    }
  });

  it('checks cross-field rules and hides secret values in the message', () => {
    const secret = '0xnot-a-key-but-secret';
    let error: ConfigException | undefined;
    try {
      loadDaemonConfig({
        DATA_DIR: dataDir(),
        X402_MODE: 'production',
        FACILITATOR_PRIVATE_KEYS: secret,
        ADMIN_API_KEY: 'short',
      });
    } catch (e) {
      error = e as ConfigException;
    }
    expect(error?.problems).toEqual([
      'FACILITATOR_PRIVATE_KEYS: entry 1 is not a 0x-prefixed 32-byte hex key (value hidden)',
      'NETWORKS_FILE: production mode needs a real chain (NETWORKS_FILE or RPC_URL); the dev chain is dev-only',
      'ADMIN_API_KEY: must be at least 24 characters (value hidden)',
    ]);
    expect(error?.message).not.toContain(secret);
    expect(error?.message).not.toContain('short');
  });

  it('requires signer keys for a real chain and reads them from a file', () => {
    const dir = dataDir();
    expect(() => loadDaemonConfig({ DATA_DIR: dir, RPC_URL: 'http://127.0.0.1:9999' })).toThrow(
      /FACILITATOR_PRIVATE_KEYS: required/,
    );
    const keysFile = join(dir, 'keys');
    const key = `0x${'ab'.repeat(32)}`;
    writeFileSync(keysFile, `${key}\n`);
    const sut = loadDaemonConfig({ DATA_DIR: dir, RPC_URL: 'http://127.0.0.1:9999', FACILITATOR_KEYS_FILE: keysFile });
    expect(sut.chain).toEqual({ kind: 'rpc', rpcUrl: 'http://127.0.0.1:9999' });
    expect(sut.facilitatorPrivateKeys).toEqual([key]);
    expect(readFileSync(keysFile, 'utf8')).toContain(key);
  });

  it('reports an unreadable secret file with its name', () => {
    expect(() => loadDaemonConfig({ DATA_DIR: dataDir(), ADMIN_API_KEY_FILE: '/nonexistent/admin-key' })).toThrow(
      /ADMIN_API_KEY: cannot read \/nonexistent\/admin-key \(ENOENT\)/,
    );
  });
});

describe('loadAppConfig', () => {
  it('gives apps without chain work no chain section and no chain requirements', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-config-'));
    const sut = loadAppConfig('projector', { DATA_DIR: dir, X402_MODE: 'production', ADMIN_API_KEY: 'k'.repeat(32) });
    expect(sut).toMatchObject({ app: 'projector', mode: 'production', chain: { kind: 'none' } });
  });

  it('still requires a real chain for the facilitator in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402-config-'));
    expect(() => loadAppConfig('facilitator', { DATA_DIR: dir, X402_MODE: 'production' })).toThrow(
      /production mode needs a real chain/,
    );
  });
});
