// A facilitator in its own process (for crash tests): the compiled FacilitatorModule (dist/, built by the e2e global
// setup) on 127.0.0.1, an embedded event log and LMDB state in FAC_DATA_DIR. Prints `READY <url>` when listening.
// Env: FAC_DATA_DIR, FAC_NETWORK (JSON: network, chainId, rpcUrl, receiptTimeoutMs), FAC_KEYS (comma-separated).
'use strict';
require('reflect-metadata');
const { join } = require('node:path');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const dist = join(__dirname, '..', '..', '..', '..', 'dist', 'libs');
const { EventLogModule } = require(join(dist, 'event-log', 'src'));
const { SignerKey } = require(join(dist, 'evm', 'src'));
const { FacilitatorModule } = require(join(dist, 'facilitator', 'src'));

async function main() {
  const dataDir = process.env.FAC_DATA_DIR;
  const n = JSON.parse(process.env.FAC_NETWORK);
  const network = {
    network: n.network,
    chainId: n.chainId,
    displayName: 'crash test chain',
    v1Name: null,
    rpcUrls: [n.rpcUrl],
    assets: [],
    confirmations: 1,
    gasLimits: { transferWithAuthorization: 200000n, deployment: 1500000n },
    feeModel: 'eip1559',
    signerKeys: process.env.FAC_KEYS.split(',').map((k) => SignerKey.parse(k)),
    eip6492AllowedFactories: [],
    receiptTimeoutMs: n.receiptTimeoutMs,
    receiptPollMs: 50,
    rpcTimeoutMs: 10000,
  };
  class ChildModule {}
  Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(dataDir, 'log')}` }),
      FacilitatorModule.forRoot({ networks: [network], mode: 'dev', stateDir: join(dataDir, 'state') }),
    ],
  })(ChildModule);
  const app = await NestFactory.create(ChildModule, { bodyParser: false, logger: false });
  app.useBodyParser('json', { limit: '256kb' });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`READY http://127.0.0.1:${app.getHttpServer().address().port}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
