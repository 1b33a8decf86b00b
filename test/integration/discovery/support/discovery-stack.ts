import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import { bazaarResourceServerExtension, declareDiscoveryExtension } from '@x402/extensions/bazaar';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { AnalyticsModule, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';
import { DiscoveryFacilitatorExtensions, DiscoveryModule, type DiscoveryModuleOptions } from '@x402-ledger/discovery';
import { EventLog, EventLogModule, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';
import type { DevChain } from '@x402-ledger/evm';
import { devChainNetwork } from '@x402-ledger/evm';
import { FacilitatorModule } from '@x402-ledger/facilitator';
import express from 'express';
import type { PrivateKeyAccount } from 'viem/accounts';

export interface DiscoveryStack {
  url: string;
  app: INestApplication;
  eventLog: EventLog;
  close(): Promise<void>;
}

/** The daemon's modules in one Nest app: embedded log, chDB analytics (projector on), facilitator, discovery. */
export async function startDiscoveryStack(
  dev: DevChain,
  dataDir: string,
  opts: { analytics?: boolean; discovery?: Partial<DiscoveryModuleOptions>; async?: boolean } = {},
): Promise<DiscoveryStack> {
  const discoveryOptions: DiscoveryModuleOptions = {
    mode: 'dev',
    dataDir,
    refresh: { intervalMs: 0 },
    qualityCacheMs: 0,
    ...opts.discovery,
  };
  const facilitatorOptions = {
    networks: [devChainNetwork(dev)],
    mode: 'dev' as const,
    stateDir: join(dataDir, 'facilitator'),
  };
  @Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(dataDir, 'log')}`, logger: SILENT_EVENT_LOG_LOGGER }),
      ...(opts.analytics === false
        ? []
        : [
            AnalyticsModule.forRoot({
              url: `chdb:${join(dataDir, 'analytics')}`,
              projector: {
                autoStart: true,
                minBatchIntervalMs: 10,
                logger: SILENT_ANALYTICS_LOGGER,
                assetDecimals: () => 6,
              },
            }),
          ]),
      ...(opts.async
        ? [
            // The daemon's wiring: both modules from factories, the facilitator gets the extensions instance.
            DiscoveryModule.forRootAsync({ useFactory: () => discoveryOptions }),
            FacilitatorModule.forRootAsync({
              inject: [DiscoveryFacilitatorExtensions],
              useFactory: (extensions: DiscoveryFacilitatorExtensions) => ({ ...facilitatorOptions, extensions }),
            }),
          ]
        : [
            DiscoveryModule.forRoot(discoveryOptions),
            FacilitatorModule.forRoot({ ...facilitatorOptions, extensions: DiscoveryFacilitatorExtensions }),
          ]),
    ],
  })
  class DiscoveryTestModule {}

  const app = await NestFactory.create<NestExpressApplication>(DiscoveryTestModule, {
    bodyParser: false,
    logger: false,
  });
  app.useBodyParser('json', { limit: '256kb' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, eventLog: app.get(EventLog), close: () => app.close() };
}

export interface BazaarServer {
  origin: string;
  setPrice(amount: string): void;
  close(): Promise<void>;
}

/**
 * An unmodified @x402/express resource server: `GET /weather` declares bazaar discovery (query input + output
 * schema) at a price that can change (a DynamicPrice), `GET /bad` declares metadata whose info breaks its own schema.
 */
export async function startBazaarServer(
  facilitatorUrl: string,
  dev: DevChain,
  payTo: string,
  initialPrice: string,
): Promise<BazaarServer> {
  let price = initialPrice;
  const network = dev.network as `${string}:${string}`;
  const extra = { name: dev.token.name, version: dev.token.version };
  const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl }))
    .register(network, new ExactEvmScheme())
    .registerExtension(bazaarResourceServerExtension);
  const routes = {
    'GET /weather': {
      accepts: {
        scheme: 'exact',
        network,
        payTo,
        price: () => ({ amount: price, asset: dev.token.address, extra }),
      },
      description: 'Current weather by city, with temperature and conditions',
      mimeType: 'application/json',
      extensions: declareDiscoveryExtension({
        input: { city: 'Paris' },
        inputSchema: { properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
        output: {
          example: { city: 'Paris', temperature: 21, conditions: 'sunny' },
          schema: { properties: { temperature: { type: 'number' }, conditions: { type: 'string' } } },
        },
      }),
    },
    'GET /bad': {
      accepts: { scheme: 'exact', network, payTo, price: { amount: initialPrice, asset: dev.token.address, extra } },
      description: 'Declares broken discovery metadata',
      mimeType: 'application/json',
      extensions: {
        bazaar: {
          info: { input: { type: 'http', method: 'GET' } },
          schema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: { input: { type: 'object', required: ['queryParams'] } },
            required: ['input'],
          },
        },
      },
    },
  };
  const app = express();
  app.use(paymentMiddleware(routes as never, server));
  app.get('/weather', (req, res) => {
    res.json({ city: req.query['city'] ?? 'Paris', temperature: 21, conditions: 'sunny' });
  });
  app.get('/bad', (_req, res) => {
    res.json({ ok: true });
  });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setPrice: (amount) => {
      price = amount;
    },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}

/** The official buyer (@x402/fetch + ExactEvmScheme), spend controls off (the dev token is not a default asset). */
export function officialBuyer(account: PrivateKeyAccount): ReturnType<typeof wrapFetchWithPayment> {
  return wrapFetchWithPayment(
    fetch,
    new x402Client().register('eip155:*', new ExactEvmClientScheme(account)).setSpendControls(false),
  );
}
