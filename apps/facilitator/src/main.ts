import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { loadAppConfig } from '@x402-ledger/config';
import { bootstrap, runMain, setupChain } from '@x402-ledger/runtime';
import { FacilitatorAppModule } from './facilitator-app.module';

runMain(async () => {
  const config = loadAppConfig('facilitator');
  mkdirSync(config.dataDir, { recursive: true });
  const { devChain, networks } = await setupChain(config);
  await bootstrap({
    module: FacilitatorAppModule.forRoot(config, networks),
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => devChain?.close(),
  });
});
