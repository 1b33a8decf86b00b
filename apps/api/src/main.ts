import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { loadAppConfig } from '@x402-ledger/config';
import { bootstrap, runMain } from '@x402-ledger/runtime';
import { ApiAppModule } from './api-app.module';

runMain(async () => {
  const config = loadAppConfig('api');
  mkdirSync(config.dataDir, { recursive: true });
  await bootstrap({
    module: ApiAppModule.forRoot(config),
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
});
