import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { loadAppConfig } from '@x402-ledger/config';
import { bootstrap, runMain, setupChain } from '@x402-ledger/runtime';
import { SessionsAppModule } from './sessions-app.module';

runMain(async () => {
  const config = loadAppConfig('sessions');
  mkdirSync(config.dataDir, { recursive: true });
  const { devChain } = await setupChain(config);
  await bootstrap({
    module: SessionsAppModule.forRoot(config, devChain),
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => devChain?.close(),
  });
});
