import { HTTPFacilitatorClient } from '@x402/core/server';
import { withBazaar } from '@x402/extensions/bazaar';
import type { DevChain } from '@x402-ledger/evm';
import { privateKeyToAccount } from 'viem/accounts';
import { officialBuyer, startBazaarServer, type BazaarServer } from '../integration/discovery/support/discovery-stack';
import { startDaemon, type RunningDaemon } from './support/daemon-process';

/**
 * Discovery through the daemon as shipped: an unmodified @x402/express server declaring the bazaar extension, paid by
 * @x402/fetch, is catalogued by our facilitator and listed to the official `withBazaar` client with its schemas and
 * ledger quality stats; `/supported` advertises the extension.
 */
describe('daemon: bazaar discovery with the official client', () => {
  let sut: RunningDaemon;
  let server: BazaarServer | undefined;

  beforeAll(async () => {
    sut = await startDaemon();
  });
  afterAll(async () => {
    await server?.close();
    await sut?.stop('SIGTERM');
  });

  it('catalogues a paid bazaar route and lists it with schemas and quality stats', async () => {
    const supported = (await (await fetch(`${sut.baseUrl}/supported`)).json()) as { extensions: string[] };
    expect(supported.extensions).toContain('bazaar');

    const dev = {
      network: sut.dev.network,
      token: { address: sut.dev.asset.address, name: sut.dev.asset.name, version: sut.dev.asset.version },
    } as unknown as DevChain;
    const payTo = sut.dev.providers[1]!.address;
    server = await startBazaarServer(sut.baseUrl, dev, payTo, '1500');
    const pay = officialBuyer(privateKeyToAccount(sut.dev.buyers[2]!.privateKey));
    const res = await pay(`${server.origin}/weather?city=Lisbon`);
    expect(res.status).toBe(200);

    // Quality stats come from the analytics projection (cached 30 s per origin): list once the payment is projected.
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${sut.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sut.dev.adminApiKey}` },
        body: JSON.stringify({ query: 'query { payments(first: 5) { nodes { status } } }' }),
      });
      const body = (await r.json()) as { data: { payments: { nodes: { status: string }[] } } };
      if (body.data.payments.nodes.some((p) => p.status === 'SETTLED')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bazaar = withBazaar(new HTTPFacilitatorClient({ url: sut.baseUrl })).extensions.bazaar;
    type Item = { resource: string; accepts: { amount: string; payTo: string }[]; quality?: Record<string, unknown> };
    let item: Item | undefined;
    for (let i = 0; i < 100 && !(item && Number(item.quality?.['l30DaysTotalCalls'] ?? 0) >= 1); i++) {
      const list = await bazaar.listResources({ payTo });
      item = (list.items as unknown as Item[]).find((x) => x.resource === `${server!.origin}/weather`);
      if (!(item && Number(item.quality?.['l30DaysTotalCalls'] ?? 0) >= 1))
        await new Promise((r) => setTimeout(r, 100));
    }
    expect(item).toBeDefined();
    expect(item!.accepts[0]).toMatchObject({ amount: '1500', payTo });
    expect(Number(item!.quality!['l30DaysTotalCalls'])).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(item)).toContain('City name'); // the declared input schema travelled with it

    const other = await bazaar.listResources({ payTo: sut.dev.providers[0]!.address });
    expect((other.items as unknown as Item[]).map((x) => x.resource)).not.toContain(`${server.origin}/weather`);
  });
});
