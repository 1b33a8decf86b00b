import 'reflect-metadata';
import { createServer } from 'node:net';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import { declareSIWxExtension } from '@x402/extensions/sign-in-with-x';
import { startDevChain, type DevChain } from '@x402-ledger/evm';
import { SESSION_HEADER, SessionGuard, SessionPaymentGuard } from '@x402-ledger/session-guard';
import {
  FAC_KEY,
  PRICE,
  SESS_KEY,
  buyer,
  recordingFetch,
  sessionBuyer,
  startStack,
  type WireRecord,
} from './support/session-stack';

@Controller()
class WeatherController {
  calls = 0;

  @Get('weather')
  weather(): { weather: string; call: number } {
    return { weather: 'sunny', call: ++this.calls };
  }
}

@Module({ controllers: [WeatherController] })
class ResourceAppModule {}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('SessionPaymentGuard on a NestJS resource server', () => {
  let dev: DevChain;
  let stack: Awaited<ReturnType<typeof startStack>>;
  let app: INestApplication;
  let guard: SessionGuard;
  let origin: string;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    stack = await startStack(dev);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    guard = new SessionGuard({
      service: { baseUrl: stack.url, apiKey: SESS_KEY },
      origin,
      routes: { 'GET /weather': 'weather' },
      revocationPollMs: 250,
    });
    await guard.start();
    const facilitator = new HTTPFacilitatorClient({
      url: stack.url,
      createAuthHeaders: async () => {
        const h = { Authorization: `Bearer ${FAC_KEY}` };
        return { verify: h, settle: h, supported: h };
      },
    });
    const server = new x402ResourceServer(facilitator)
      .register(dev.network as `${string}:${string}`, new ExactEvmScheme())
      .registerExtension(guard.extension());
    const payment = paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: dev.network as `${string}:${string}`,
            payTo: dev.providers[0].address,
            price: {
              amount: PRICE,
              asset: dev.token.address,
              extra: { name: dev.token.name, version: dev.token.version },
            },
          },
          description: 'Weather',
          mimeType: 'application/json',
          extensions: declareSIWxExtension({ statement: 'Sign in to reuse your purchase' }),
        },
      },
      server,
    );
    app = await NestFactory.create(ResourceAppModule, { logger: false });
    app.useGlobalGuards(new SessionPaymentGuard(guard, payment));
    await app.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    await guard?.stop();
    await app?.close();
    await stack?.close();
    await dev?.close();
  });

  it('answers the normal 402 without a token, sells a session with the first payment, then serves on the token', async () => {
    const unpaid = await fetch(`${origin}/weather`);
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get('PAYMENT-REQUIRED')).toEqual(expect.any(String));
    expect(await unpaid.json()).toEqual({});

    const wire: WireRecord[] = [];
    const client = sessionBuyer(buyer(dev, 5), { wire: recordingFetch(wire) });
    const paid = await client.fetch(`${origin}/weather`);
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ weather: 'sunny' });
    expect(paid.headers.get('PAYMENT-RESPONSE')).toEqual(expect.any(String));
    expect(paid.headers.get(SESSION_HEADER)).toEqual(expect.any(String));

    const calls = app.get(WeatherController).calls;
    for (let i = 0; i < 5; i++) expect((await client.fetch(`${origin}/weather`)).status).toBe(200);
    expect(app.get(WeatherController).calls).toBe(calls + 5);
    expect(wire.map((w) => w.status)).toEqual([402, 200, 200, 200, 200, 200, 200]);
    expect(wire.slice(2).every((w) => w.request['payment-signature'] === undefined)).toBe(true);

    const token = paid.headers.get(SESSION_HEADER)!;
    const [h, p, s] = token.split('.');
    const forged = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    expect((await fetch(`${origin}/weather`, { headers: { [SESSION_HEADER]: forged } })).status).toBe(402);
  });
});
