import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { type DevChain, devChainNetwork, signEip3009Request, startDevChain } from '@x402-ledger/evm';
import { EvmReason } from '@x402-ledger/protocol';
import { privateKeyToAccount } from 'viem/accounts';
import { allEvents, startFacilitatorApp } from './support/facilitator-app';

describe('FacilitatorModule state survives a restart (event log + LMDB state)', () => {
  let dev: DevChain;
  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
  });
  afterAll(() => dev?.close());

  it('keeps the reservation, the settlement and the single success answer across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'x402-restart-'));
    const request = await signEip3009Request({
      account: privateKeyToAccount(dev.buyers[2].privateKey),
      chainId: dev.chainId,
      requirements: {
        scheme: 'exact',
        network: dev.network,
        amount: '777',
        asset: dev.token.address,
        payTo: dev.providers[0].address,
        maxTimeoutSeconds: 300,
        extra: { name: dev.token.name, version: dev.token.version },
      },
    });
    const p = request.paymentPayload as never;
    const r = request.paymentRequirements as never;
    const boot = async () => {
      const app = await startFacilitatorApp({ networks: [devChainNetwork(dev)], dataDir });
      return { app, client: new HTTPFacilitatorClient({ url: app.url }) };
    };

    let { app, client } = await boot();
    expect((await client.verify(p, r)).isValid).toBe(true);
    await app.close();

    ({ app, client } = await boot());
    expect(await client.verify(p, r)).toMatchObject({ isValid: false, invalidReason: EvmReason.NonceAlreadyUsed });
    const settled = await client.settle(p, r);
    expect(settled.success).toBe(true);
    await app.close();

    ({ app, client } = await boot());
    expect(await client.settle(p, r)).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: settled.transaction,
    });
    const types = (await allEvents(app.eventLog)).map((e) => e.type);
    expect(types).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    await app.close();
  });
});
