import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadDaemonConfig } from '@x402-ledger/config';
import { type DevChain, startDevChain } from '@x402-ledger/evm';
import { bootstrap, runMain } from '@x402-ledger/runtime';
import { DaemonModule } from './daemon.module';
import { banner, buildDevInfo, type DevInfo } from './dev-info';

runMain(async () => {
  const config = loadDaemonConfig();
  mkdirSync(config.dataDir, { recursive: true });

  let chain: DevChain | undefined;
  if (config.chain.kind === 'dev') chain = await startDevChain({ rpcPort: config.chain.rpcPort });

  const devInfo: { current?: DevInfo } = {};
  const app = await bootstrap({
    module: DaemonModule.forRoot({ config, chain, devInfo }),
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    afterClose: async () => chain?.close(),
  });

  if (chain) {
    const { port } = app.getHttpServer().address() as AddressInfo;
    devInfo.current = buildDevInfo(config, chain, `http://${config.host}:${port}`);
    process.stdout.write(banner(devInfo.current));
  }
});
