import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import {
  createSIWxResourceServerExtension,
  declareSIWxExtension,
  InMemorySIWxStorage,
  type SIWxStorage,
} from '@x402/extensions/sign-in-with-x';
import express, { type RequestHandler } from 'express';
import { sessionMiddleware } from '../express/session.middleware';
import { SessionGuard, type SessionGuardOptions } from '../server/session-guard';

/**
 * How the test resource server protects its routes:
 * - `session`: SessionGuard (tokens) in front of the official payment middleware, with the guard's SIWx extension;
 * - `official-siwx`: the official payment middleware with the official SIWx extension (repeat access by signature);
 * - `pay-per-call`: the official payment middleware alone.
 */
export type ResourceServerMode = 'session' | 'official-siwx' | 'pay-per-call';

export interface TestResourceServerOptions {
  mode: ResourceServerMode;
  facilitatorUrl: string;
  facilitatorApiKey?: string;
  network: string;
  asset: string;
  assetName: string;
  assetVersion: string;
  payTo: string;
  /** Price per paid request (atomic units). */
  amount: string;
  /** `session` mode: the session service and guard options. */
  session?: {
    serviceUrl: string;
    apiKey: string;
    /** Route key → policy id (default: GET /weather, GET /weather/:city → `weather`; GET /report → `report`). */
    routes?: Record<string, string>;
  } & Partial<Omit<SessionGuardOptions, 'service' | 'origin' | 'routes'>>;
  /** The official SIWx extension's storage (`official-siwx` mode and GET /siwx/weather; default: in-memory). */
  siwxStorage?: SIWxStorage;
}

export interface TestResourceServer {
  origin: string;
  url(path: string): string;
  guard: SessionGuard | undefined;
  /** How many times a paid handler ran. */
  handlerCalls(): number;
  close(): Promise<void>;
}

/**
 * An Express resource server with the official x402 stack (facilitator client, ExactEvmScheme, @x402/express):
 * GET /free (unprotected, behind the same middleware), paid GET /weather, GET /weather/:city, POST /weather and
 * GET /report protected as `mode` says, and — in every mode, through a second official x402ResourceServer in the
 * same app — GET /paid (official pay-per-call) and GET /siwx/weather (official SIWx extension, `siwxStorage`).
 */
export async function startTestResourceServer(opts: TestResourceServerOptions): Promise<TestResourceServer> {
  const app = express();
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  http.keepAliveTimeout = 30_000;
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const auth = opts.facilitatorApiKey
    ? {
        createAuthHeaders: async () => {
          const h = { Authorization: `Bearer ${opts.facilitatorApiKey}` };
          return { verify: h, settle: h, supported: h };
        },
      }
    : {};
  const facilitator = new HTTPFacilitatorClient({ url: opts.facilitatorUrl, ...auth });
  const network = opts.network as `${string}:${string}`;
  const resourceServer = new x402ResourceServer(facilitator).register(network, new ExactEvmScheme());
  const storage = opts.siwxStorage ?? new InMemorySIWxStorage();
  const siwxDeclaration = { extensions: declareSIWxExtension({ statement: 'Sign in to reuse your purchase' }) };
  const siwx = opts.mode === 'pay-per-call' ? {} : siwxDeclaration;
  const paid = (description: string, extensions: object = siwx) => ({
    accepts: {
      scheme: 'exact',
      network: opts.network as `${string}:${string}`,
      payTo: opts.payTo,
      price: { amount: opts.amount, asset: opts.asset, extra: { name: opts.assetName, version: opts.assetVersion } },
    },
    description,
    mimeType: 'application/json',
    ...extensions,
  });
  const routes = {
    'GET /weather': paid('Weather'),
    'GET /weather/:city': paid('Weather by city'),
    'POST /weather': paid('Weather update'),
    'GET /report': paid('Report'),
  };

  // The official stack alone, for comparison: pay-per-call and the official SIWx repeat access.
  const official = new x402ResourceServer(facilitator)
    .register(network, new ExactEvmScheme())
    .registerExtension(createSIWxResourceServerExtension({ origin, storage }));
  const officialRoutes = {
    'GET /paid': paid('Pay per call', {}),
    'GET /siwx/weather': paid('Official SIWx', siwxDeclaration),
  };

  let guard: SessionGuard | undefined;
  let protect: RequestHandler;
  if (opts.mode === 'session') {
    if (!opts.session) throw new Error('session mode needs session options');
    const { serviceUrl, apiKey, routes: sessionRoutes, ...guardOptions } = opts.session;
    guard = new SessionGuard({
      ...guardOptions,
      service: { baseUrl: serviceUrl, apiKey },
      origin,
      routes: sessionRoutes ?? { 'GET /weather': 'weather', 'GET /weather/:city': 'weather', 'GET /report': 'report' },
    });
    await guard.start();
    resourceServer.registerExtension(guard.extension());
    protect = sessionMiddleware(guard, paymentMiddleware(routes, resourceServer));
  } else {
    if (opts.mode === 'official-siwx') {
      resourceServer.registerExtension(createSIWxResourceServerExtension({ origin, storage }));
    }
    protect = paymentMiddleware(routes, resourceServer);
  }

  let calls = 0;
  // Everything, /free included, passes the same middleware stack (so /free is the fair baseline).
  app.use(protect);
  app.use(paymentMiddleware(officialRoutes, official));
  app.get('/free', (_req, res) => {
    res.json({ free: true });
  });
  app.get('/weather', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny', call: calls });
  });
  app.get('/weather/:city', (req, res) => {
    calls++;
    res.json({ weather: 'sunny', city: req.params.city, call: calls });
  });
  app.post('/weather', (_req, res) => {
    calls++;
    res.json({ updated: true, call: calls });
  });
  app.get('/report', (_req, res) => {
    calls++;
    res.json({ report: 'q3', call: calls });
  });
  app.get('/paid', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny', call: calls });
  });
  app.get('/siwx/weather', (_req, res) => {
    calls++;
    res.json({ weather: 'sunny', call: calls });
  });

  return {
    origin,
    url: (path) => `${origin}${path}`,
    guard,
    handlerCalls: () => calls,
    close: async () => {
      await guard?.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
