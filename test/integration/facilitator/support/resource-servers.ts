import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { paymentMiddleware as expressPaymentMiddleware, x402ResourceServer } from '@x402/express';
import { paymentMiddleware as honoPaymentMiddleware } from '@x402/hono';
import express from 'express';
import { Hono } from 'hono';

export interface PaidRoute {
  network: string;
  asset: string;
  amount: string;
  payTo: string;
  name: string;
  version: string;
  /** `upfront`: settle before the handler (no /verify call). */
  paymentFlow?: 'upfront';
}

export interface ResourceServer {
  url: string;
  /** How many times the paid handler ran. */
  handlerCalls: () => number;
  close(): Promise<void>;
}

function facilitatorClient(facilitatorUrl: string, apiKey?: string): HTTPFacilitatorClient {
  return new HTTPFacilitatorClient({
    url: facilitatorUrl,
    ...(apiKey
      ? {
          createAuthHeaders: async () => {
            const h = { Authorization: `Bearer ${apiKey}` };
            return { verify: h, settle: h, supported: h };
          },
        }
      : {}),
  });
}

function routes(route: PaidRoute, path: string) {
  return {
    [`GET ${path}`]: {
      accepts: {
        scheme: 'exact',
        network: route.network as `${string}:${string}`,
        payTo: route.payTo,
        price: {
          amount: route.amount,
          asset: route.asset,
          extra: {
            name: route.name,
            version: route.version,
            ...(route.paymentFlow ? { paymentFlow: route.paymentFlow } : {}),
          },
        },
      },
      description: 'Weather data',
      mimeType: 'application/json',
    },
  };
}

/** An unmodified @x402/express resource server whose HTTPFacilitatorClient points at `facilitatorUrl`. */
export async function startExpressResourceServer(
  facilitatorUrl: string,
  route: PaidRoute,
  apiKey?: string,
): Promise<ResourceServer> {
  let calls = 0;
  const server = new x402ResourceServer(facilitatorClient(facilitatorUrl, apiKey)).register(
    route.network as `${string}:${string}`,
    new ExactEvmScheme(),
  );
  const app = express();
  app.use(expressPaymentMiddleware(routes(route, '/weather') as never, server));
  app.get('/weather', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny', call: calls });
  });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/weather`,
    handlerCalls: () => calls,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}

/** An unmodified @x402/hono resource server on @hono/node-server. */
export async function startHonoResourceServer(
  facilitatorUrl: string,
  route: PaidRoute,
  apiKey?: string,
): Promise<ResourceServer> {
  let calls = 0;
  const server = new x402ResourceServer(facilitatorClient(facilitatorUrl, apiKey)).register(
    route.network as `${string}:${string}`,
    new ExactEvmScheme(),
  );
  const app = new Hono();
  app.use(honoPaymentMiddleware(routes(route, '/weather') as never, server as never));
  app.get('/weather', (c) => {
    calls++;
    return c.json({ weather: 'cloudy', call: calls });
  });
  const http = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/weather`,
    handlerCalls: () => calls,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}
