import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client';
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server';
import { paymentMiddleware, x402ResourceServer } from '@x402/express';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { createEventLog } from '@x402-ledger/event-log';
import { DEV_TEST_TOKEN_ADDRESS, PERMIT2_ADDRESS, X402_EXACT_PERMIT2_PROXY_ADDRESS } from '@x402-ledger/evm';
import express from 'express';
import { join } from 'node:path';
import { createPublicClient, erc20Abi, getAddress, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startDaemon, type RunningDaemon } from './support/daemon-process';

const PRICE = '2500000000000000000'; // 2.5 TT (18 decimals)

/**
 * Permit2 end to end: the daemon (`npm start`, embedded dev chain with Permit2 + x402ExactPermit2Proxy + TestToken),
 * an unmodified @x402/express server whose route is priced in TestToken with `extra.assetTransferMethod = 'permit2'`,
 * and an unmodified @x402/fetch buyer.
 */
describe('Permit2 end to end: @x402/express + @x402/fetch against the daemon', () => {
  let sut: RunningDaemon;
  let server: Server | undefined;
  let url: string;
  let calls = 0;

  beforeAll(async () => {
    sut = await startDaemon();
    const payTo = sut.dev.providers[0].address;
    const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: sut.baseUrl })).register(
      sut.dev.network as `${string}:${string}`,
      new ExactEvmServerScheme(),
    );
    const app = express();
    app.use(
      paymentMiddleware(
        {
          'GET /report': {
            accepts: {
              scheme: 'exact',
              network: sut.dev.network as `${string}:${string}`,
              payTo,
              price: { amount: PRICE, asset: DEV_TEST_TOKEN_ADDRESS, extra: { assetTransferMethod: 'permit2' } },
            },
            description: 'Report',
            mimeType: 'application/json',
          },
        } as never,
        resourceServer,
      ),
    );
    app.get('/report', (_req, res) => {
      calls++;
      res.json({ report: 'ok', call: calls });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report`;
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (sut && sut.child.exitCode === null) await sut.stop('SIGTERM');
  });

  const chain = () => createPublicClient({ transport: http(sut.dev.rpcUrl) });
  const tokenBalance = (address: Hex) =>
    chain().readContract({
      address: DEV_TEST_TOKEN_ADDRESS,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    });
  const permit2Allowance = (owner: Hex) =>
    chain().readContract({
      address: DEV_TEST_TOKEN_ADDRESS,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [owner, PERMIT2_ADDRESS],
    });
  const payingFetch = (privateKey: Hex) =>
    wrapFetchWithPayment(
      fetch,
      new x402Client()
        .register('eip155:*', new ExactEvmClientScheme(privateKeyToAccount(privateKey)))
        .setSpendControls(false),
    );

  it('pays with Permit2: 200, tokens moved through the proxy, ledger events say permit2; 412 without approval', async () => {
    const buyer = sut.dev.buyers[0];
    const payTo = sut.dev.providers[0].address;
    expect(await permit2Allowance(buyer.address)).toBe(2n ** 256n - 1n);
    const [buyerBefore, payToBefore] = [await tokenBalance(buyer.address), await tokenBalance(payTo)];

    const res = await payingFetch(buyer.privateKey)(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ report: 'ok', call: 1 });
    const receipt = decodePaymentResponseHeader(res.headers.get('PAYMENT-RESPONSE')!);
    expect(receipt).toMatchObject({ success: true, network: sut.dev.network, payer: buyer.address });

    const tx = await chain().getTransactionReceipt({ hash: receipt.transaction as Hex });
    expect(tx.status).toBe('success');
    expect(getAddress(tx.to!)).toBe(X402_EXACT_PERMIT2_PROXY_ADDRESS);
    expect(await tokenBalance(buyer.address)).toBe(buyerBefore - BigInt(PRICE));
    expect(await tokenBalance(payTo)).toBe(payToBefore + BigInt(PRICE));

    // A buyer who never approved Permit2: the SDK middleware answers 412, the handler does not run, nothing moves.
    const unapproved = sut.dev.buyers[sut.dev.buyers.length - 1];
    expect(await permit2Allowance(unapproved.address)).toBe(0n);
    const unapprovedBefore = await tokenBalance(unapproved.address);
    const refused = await payingFetch(unapproved.privateKey)(url);
    expect(refused.status).toBe(412);
    expect(calls).toBe(1);
    expect(await tokenBalance(unapproved.address)).toBe(unapprovedBefore);

    // The ledger (the daemon's embedded event log), read after a clean shutdown.
    expect(await sut.stop('SIGTERM')).toMatchObject({ code: 0 });
    const log = await createEventLog(`file:${join(sut.dataDir, 'log')}`);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    try {
      await log.replay(async (batch) => {
        for (const { envelope } of batch) events.push({ type: envelope.type, data: envelope.data });
      });
    } finally {
      await log.close();
    }
    const paid = events.filter((e) => e.data.payer === buyer.address && e.type.startsWith('payment.'));
    expect(paid.map((e) => e.type)).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(paid[0].data).toMatchObject({
      assetTransferMethod: 'permit2',
      signatureKind: 'eoa',
      asset: DEV_TEST_TOKEN_ADDRESS,
      amount: PRICE,
      payTo,
      nonce: expect.stringMatching(/^(0|[1-9][0-9]*)$/),
    });
    expect(paid[2].data).toMatchObject({ txHash: receipt.transaction, blockNumber: tx.blockNumber.toString() });
    const failed = events.filter((e) => e.data.payer === unapproved.address);
    expect(failed.map((e) => [e.type, e.data.reason])).toEqual([
      ['payment.verification_failed', 'permit2_allowance_required'],
    ]);
  });
});
