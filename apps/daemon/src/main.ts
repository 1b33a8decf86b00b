import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadDaemonConfig } from '@x402-ledger/config';
import { bootstrap, runMain, setupChain } from '@x402-ledger/runtime';
import { DaemonModule } from './daemon.module';
import { banner, buildDevInfo, type DevInfo } from './dev-info';

runMain(async () => {
  const config = loadDaemonConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const { devChain, networks } = await setupChain(config);

  const devInfo: { current?: DevInfo } = {};
  const app = await bootstrap({
    module: DaemonModule.forRoot({ config, chain: devChain, networks, devInfo }),
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => devChain?.close(),
  });

  if (devChain) {
    const { port } = app.getHttpServer().address() as AddressInfo;
    devInfo.current = buildDevInfo(config, devChain, `http://${config.host}:${port}`);
    process.stdout.write(banner(devInfo.current));
  }
});
