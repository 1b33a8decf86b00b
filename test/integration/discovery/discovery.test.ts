import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { declareDiscoveryExtension, withBazaar } from '@x402/extensions/bazaar';
import { DiscoveryFacilitatorExtensions, RefreshScheduler } from '@x402-ledger/discovery';
import { FacilitatorExtensions } from '@x402-ledger/facilitator';
import { type DevChain, signEip3009Request, startDevChain } from '@x402-ledger/evm';
import type { PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { privateKeyToAccount } from 'viem/accounts';
import {
  officialBuyer,
  startBazaarServer,
  startDiscoveryStack,
  type BazaarServer,
  type DiscoveryStack,
} from './support/discovery-stack';

jest.setTimeout(180_000);

type Item = {
  resource: string;
  accepts: { amount: string; payTo: string }[];
  extensions?: { bazaar?: { info: { input: Record<string, unknown> }; schema: unknown } };
  quality: { l30DaysTotalCalls: number; l30DaysUniquePayers: number; lastCalledAt: string | null };
};

describe('bazaar discovery with the official express server, buyer and bazaar client', () => {
  let dev: DevChain;
  let dataDir: string;
  let stack: DiscoveryStack;
  let seller: BazaarServer;
  let bazaar: ReturnType<typeof withBazaar<HTTPFacilitatorClient>>['extensions']['bazaar'];
  let weatherUrl: string;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'x402-discovery-'));
    stack = await startDiscoveryStack(dev, dataDir);
    seller = await startBazaarServer(stack.url, dev, dev.providers[0].address, '1000');
    weatherUrl = `${seller.origin}/weather`;
    bazaar = withBazaar(new HTTPFacilitatorClient({ url: stack.url })).extensions.bazaar;
  });
  afterAll(async () => {
    await seller?.close();
    await stack?.close();
    await dev?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const buyer = (i: number) => officialBuyer(privateKeyToAccount(dev.buyers[i % dev.buyers.length].privateKey));
  const discoveryEvents = async (resourceUrl: string) => {
    const out: { sequence: number; accepts: { amount: string }[]; metadata: Record<string, unknown> }[] = [];
    await stack.eventLog.replay(async (batch) => {
      for (const { envelope } of batch)
        if (envelope.type === 'discovery.resource_updated' && envelope.data['resourceUrl'] === resourceUrl)
          out.push({
            sequence: envelope.sequence,
            accepts: envelope.data['accepts'] as { amount: string }[],
            metadata: envelope.data['metadata'] as Record<string, unknown>,
          });
    });
    return out;
  };
  /** Polls until the projector has the paid call in ClickHouse (bounded: 30 s). */
  const listedWithCalls = async (min: number): Promise<Item> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await bazaar.listResources({ type: 'http' });
      const item = list.items.find((i) => i.resource === weatherUrl) as unknown as Item | undefined;
      if (item && item.quality.l30DaysTotalCalls >= min) return item;
      if (Date.now() > deadline) throw new Error(`not listed with ${min} calls: ${JSON.stringify(item)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('after one paid call the resource is listed with its schemas and ledger quality stats', async () => {
    const paid = await buyer(0)(`${weatherUrl}?city=Paris`);
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ conditions: 'sunny' });

    const item = await listedWithCalls(1);
    expect(item).toMatchObject({
      resource: weatherUrl,
      type: 'http',
      x402Version: 2,
      description: 'Current weather by city, with temperature and conditions',
      mimeType: 'application/json',
      accepts: [expect.objectContaining({ scheme: 'exact', network: dev.network, amount: '1000' })],
    });
    expect(item.extensions?.bazaar?.info.input).toMatchObject({
      type: 'http',
      method: 'GET',
      queryParams: { city: 'Paris' },
    });
    expect(JSON.stringify(item.extensions?.bazaar?.schema)).toContain('"city"');
    expect(item.quality).toMatchObject({ l30DaysTotalCalls: 1, l30DaysUniquePayers: 1 });
    expect(item.quality.lastCalledAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(item.quality).toMatchObject({
      l30DaysRevenue: [{ network: dev.network, asset: dev.token.address.toLowerCase(), amount: '1000' }],
      l30DaysRefundRate: 0,
      l30DaysDisputeRate: 0,
    });

    const found = await bazaar.search({ query: 'weather temperature' });
    expect(found.resources.map((r) => r.resource)).toContain(weatherUrl);
    expect((found.resources[0] as unknown as Item).quality.l30DaysTotalCalls).toBe(1);
    expect((await bazaar.search({ query: 'zebra-unrelated-words' })).resources).toEqual([]);
  });

  it('the payTo filter works on list and search', async () => {
    const payTo = dev.providers[0].address;
    const mine = await bazaar.listResources({ payTo: payTo.toLowerCase() });
    expect(mine.items.map((i) => i.resource)).toEqual([weatherUrl]);
    const other = await bazaar.listResources({ payTo: dev.providers[1].address });
    expect(other).toMatchObject({ items: [], pagination: { total: 0 } });
    expect((await bazaar.search({ query: 'weather', payTo: dev.providers[1].address })).resources).toEqual([]);
    expect((await bazaar.search({ query: 'weather', payTo })).resources).toHaveLength(1);
  });

  it('a price change is picked up by the re-fetch; the old price stays in the event history', async () => {
    seller.setPrice('2500');
    const summary = await stack.app.get(RefreshScheduler).refreshAll();
    expect(summary).toMatchObject({ checked: 1, changed: 1, failed: 0 });
    const list = await bazaar.listResources({});
    const item = list.items.find((i) => i.resource === weatherUrl)!;
    expect(item.accepts.map((a) => a.amount)).toEqual(['2500']);

    const history = await discoveryEvents(weatherUrl);
    expect(history.map((e) => e.accepts.map((a) => a.amount))).toEqual([['1000'], ['2500']]);
    expect(history.map((e) => e.sequence)).toEqual([1, 2]);
    // Nothing changed since: a second re-fetch records nothing.
    expect(await stack.app.get(RefreshScheduler).refreshAll()).toMatchObject({ changed: 0 });
    expect(await discoveryEvents(weatherUrl)).toHaveLength(2);
  });

  it('bad metadata: the payment goes through, nothing is catalogued', async () => {
    const paid = await buyer(1)(`${seller.origin}/bad`);
    expect(paid.status).toBe(200);
    const list = await bazaar.listResources({ limit: 100 });
    expect(list.items.map((i) => i.resource)).not.toContain(`${seller.origin}/bad`);
    expect(await discoveryEvents(`${seller.origin}/bad`)).toEqual([]);
  });

  it('answers EXTENSION-RESPONSES: success, or rejected with a reason for schema-invalid, bad template, oversized', async () => {
    const client = new HTTPFacilitatorClient({ url: stack.url });
    const requirements: PaymentRequirementsV2 = {
      scheme: 'exact',
      network: dev.network,
      amount: '700',
      asset: dev.token.address,
      payTo: dev.providers[1].address,
      maxTimeoutSeconds: 300,
      extra: { name: dev.token.name, version: dev.token.version },
    };
    const good = declareDiscoveryExtension({ toolName: 'translate', inputSchema: { type: 'object' } }).bazaar;
    const verifyWith = async (i: number, bazaarExt: unknown, url = 'http://127.0.0.1:9/tools/translate?x=1') => {
      const request = await signEip3009Request({
        account: privateKeyToAccount(dev.buyers[(i + 2) % dev.buyers.length].privateKey),
        requirements,
        chainId: dev.chainId,
      });
      const payload = {
        ...request.paymentPayload,
        resource: { url, description: 'Translate text', mimeType: 'application/json' },
        extensions: { bazaar: bazaarExt },
      };
      return client.verify(payload as never, request.paymentRequirements as never);
    };

    const ok = await verifyWith(0, good);
    expect(ok).toMatchObject({ isValid: true, extensionResponses: { bazaar: { status: 'success' } } });

    const schemaInvalid = await verifyWith(1, { ...good, info: { input: { type: 'mcp' } } });
    expect(schemaInvalid).toMatchObject({
      isValid: true,
      extensionResponses: { bazaar: { status: 'rejected', rejectedReason: expect.stringContaining('schema') } },
    });
    const badTemplate = await verifyWith(2, { ...good, routeTemplate: '/tools/../admin' });
    expect(badTemplate).toMatchObject({
      isValid: true,
      extensionResponses: { bazaar: { status: 'rejected', rejectedReason: expect.stringContaining('routeTemplate') } },
    });
    const oversized = await verifyWith(3, { ...good, info: { ...good.info, padding: 'x'.repeat(20_000) } });
    expect(oversized).toMatchObject({
      isValid: true,
      extensionResponses: { bazaar: { status: 'rejected', rejectedReason: expect.stringContaining('bytes') } },
    });

    const mcp = await bazaar.listResources({ type: 'mcp' });
    expect(mcp.items.map((i) => i.resource)).toEqual(['http://127.0.0.1:9/tools/translate']);
    expect(mcp.items[0].accepts).toHaveLength(1);
    const onlyOk = await bazaar.listResources({ payTo: dev.providers[1].address });
    expect(onlyOk.pagination.total).toBe(1);
  });

  it('bad query parameters are 400 with a message', async () => {
    for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc', 'unknown=1']) {
      const res = await fetch(`${stack.url}/discovery/resources?${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message.length).toBeGreaterThan(3);
    }
    const noQuery = await fetch(`${stack.url}/discovery/search`);
    expect(noQuery.status).toBe(400);
    const badCursor = await fetch(`${stack.url}/discovery/search?query=weather&cursor=nope`);
    expect(badCursor.status).toBe(400);
  });

  it('providers register resource URLs; the catalog survives a restart', async () => {
    const res = await fetch(`${stack.url}/discovery/resources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${seller.origin}/weather?city=Rome` }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ resource: weatherUrl, status: 'active' });
    const notPaid = await fetch(`${stack.url}/discovery/resources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${seller.origin}/nothing-here` }),
    });
    expect(notPaid.status).toBe(422);

    const before = await bazaar.listResources({ limit: 100 });
    await stack.close();
    stack = await startDiscoveryStack(dev, dataDir, { analytics: false, async: true });
    expect(stack.app.get(FacilitatorExtensions, { strict: false })).toBeInstanceOf(DiscoveryFacilitatorExtensions);
    bazaar = withBazaar(new HTTPFacilitatorClient({ url: stack.url })).extensions.bazaar;
    const after = await bazaar.listResources({ limit: 100 });
    expect(after.items.map((i) => [i.resource, i.accepts])).toEqual(before.items.map((i) => [i.resource, i.accepts]));

    // Stopped seller: the re-fetch marks it stale (listed, flagged), not gone yet.
    await seller.close();
    await stack.app.get(RefreshScheduler).refreshAll();
    const stale = (await bazaar.listResources({})).items.find((i) => i.resource === weatherUrl) as unknown as {
      freshness: { status: string };
    };
    expect(stale.freshness.status).toBe('stale');
    seller = { ...seller, close: async () => undefined };
  });
});
