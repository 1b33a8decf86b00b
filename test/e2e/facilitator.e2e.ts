import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { type DevChain, devChainNetwork, signEip3009Request, startDevChain, TEST_USDC_ABI } from '@x402-ledger/evm';
import { EvmReason, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { parseEventLogs, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import {
  allEvents,
  startFacilitatorApp,
  type FacilitatorApp,
} from '../integration/facilitator/support/facilitator-app';
import {
  startExpressResourceServer,
  startHonoResourceServer,
  type PaidRoute,
  type ResourceServer,
} from '../integration/facilitator/support/resource-servers';

const API_KEY = 'provider-key-0123456789abcdef';

describe('our facilitator behind unmodified @x402/express and @x402/hono servers, paid by @x402/fetch', () => {
  let dev: DevChain;
  let fac: FacilitatorApp;
  let expressServer: ResourceServer;
  let honoServer: ResourceServer;
  let upfrontServer: ResourceServer;
  let route: PaidRoute;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    fac = await startFacilitatorApp({
      networks: [devChainNetwork(dev)],
      mode: 'production',
      apiKeys: { [API_KEY]: 'acme' },
    });
    route = {
      network: dev.network,
      asset: dev.token.address,
      amount: '2500',
      payTo: dev.providers[1].address,
      name: dev.token.name,
      version: dev.token.version,
    };
    expressServer = await startExpressResourceServer(fac.url, route, API_KEY);
    honoServer = await startHonoResourceServer(fac.url, route, API_KEY);
    upfrontServer = await startExpressResourceServer(fac.url, { ...route, paymentFlow: 'upfront' }, API_KEY);
  });
  afterAll(async () => {
    await Promise.all([expressServer?.close(), honoServer?.close(), upfrontServer?.close()]);
    await fac?.close();
    await dev?.close();
  });

  const buyerAccount = (i: number) => privateKeyToAccount(dev.buyers[i].privateKey);
  const balance = (address: Hex) =>
    dev.publicClient.readContract({
      address: dev.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address],
    }) as Promise<bigint>;
  const payingFetch = (account: PrivateKeyAccount) =>
    wrapFetchWithPayment(
      fetch,
      new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false),
    );
  const challenge = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(402);
    return decodePaymentRequiredHeader(res.headers.get('PAYMENT-REQUIRED')!);
  };
  /** Signs like the official client, with overrides, and sends it as PAYMENT-SIGNATURE. */
  const payWith = async (
    url: string,
    account: PrivateKeyAccount,
    overrides: Parameters<typeof signEip3009Request>[0]['authorization'] = {},
  ) => {
    const required = await challenge(url);
    const accepted = required.accepts[0] as PaymentRequirementsV2;
    const request = await signEip3009Request({
      account,
      requirements: accepted,
      chainId: dev.chainId,
      authorization: overrides,
    });
    const payload = { ...request.paymentPayload, resource: required.resource, accepted };
    return fetch(url, { headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload as never) } });
  };
  const reasonOf = (res: Response) => decodePaymentRequiredHeader(res.headers.get('PAYMENT-REQUIRED')!).error;

  it('a paid request settles on chain: 200, PAYMENT-RESPONSE with a real tx, balances moved, events tagged with the tenant', async () => {
    const account = buyerAccount(0);
    const [buyerBefore, payToBefore] = await Promise.all([balance(account.address), balance(dev.providers[1].address)]);
    const res = await payingFetch(account)(expressServer.url);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ weather: 'sunny' });
    const receipt = decodePaymentResponseHeader(res.headers.get('PAYMENT-RESPONSE')!);
    expect(receipt).toMatchObject({ success: true, network: dev.network, payer: account.address });
    const chainReceipt = await dev.publicClient.getTransactionReceipt({ hash: receipt.transaction as Hex });
    expect(chainReceipt.status).toBe('success');
    expect(await balance(account.address)).toBe(buyerBefore - 2500n);
    expect(await balance(dev.providers[1].address)).toBe(payToBefore + 2500n);
    const events = (await allEvents(fac.eventLog)).filter(
      (e) => e.data.txHash === receipt.transaction || e.data.payer === account.address,
    );
    expect(events.map((e) => e.type)).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(new Set(events.map((e) => e.tenant))).toEqual(new Set(['acme']));
  });

  it('works the same behind @x402/hono, and with the upfront flow (settle without verify)', async () => {
    for (const server of [honoServer, upfrontServer]) {
      const res = await payingFetch(buyerAccount(1))(server.url);
      expect(res.status).toBe(200);
      expect(decodePaymentResponseHeader(res.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({ success: true });
    }
  });

  it.each([
    ['tampered signature', 'sig', EvmReason.InvalidSignature],
    ['wrong amount', { value: '2499' }, EvmReason.AuthorizationValueMismatch],
    ['wrong payTo', 'payTo', EvmReason.RecipientMismatch],
    ['expired', 'expired', EvmReason.ValidBeforeExpired],
    ['not yet valid', 'future', EvmReason.ValidAfterInFuture],
  ])('refuses a %s with 402 and the SDK reason; the handler does not run', async (_case, how, reason) => {
    const before = expressServer.handlerCalls();
    const now = Math.floor(Date.now() / 1000);
    let res: Response;
    if (how === 'sig') {
      const required = await challenge(expressServer.url);
      const client = new x402Client().register('eip155:*', new ExactEvmScheme(buyerAccount(2))).setSpendControls(false);
      const payload = await client.createPaymentPayload(required);
      const p = payload.payload as { signature: string };
      p.signature = `${p.signature.slice(0, 10)}${p.signature[10] === 'a' ? 'b' : 'a'}${p.signature.slice(11)}`;
      res = await fetch(expressServer.url, { headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) } });
    } else if (how === 'payTo') {
      res = await payWith(expressServer.url, buyerAccount(2), { to: dev.providers[2].address });
    } else if (how === 'expired') {
      res = await payWith(expressServer.url, buyerAccount(2), { validBefore: String(now - 5) });
    } else if (how === 'future') {
      res = await payWith(expressServer.url, buyerAccount(2), { validAfter: String(now + 3600) });
    } else {
      res = await payWith(expressServer.url, buyerAccount(2), how as Record<string, string>);
    }
    expect(res.status).toBe(402);
    expect(reasonOf(res)).toBe(reason);
    expect(expressServer.handlerCalls()).toBe(before);
  });

  it('refuses a buyer without funds (insufficient balance) and a replayed payload (nonce already used)', async () => {
    const broke = privateKeyToAccount(generatePrivateKey());
    const poor = await payingFetch(broke)(expressServer.url);
    expect(poor.status).toBe(402);
    expect(reasonOf(poor)).toBe(EvmReason.InsufficientBalance);

    const required = await challenge(expressServer.url);
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(buyerAccount(3))).setSpendControls(false);
    const header = encodePaymentSignatureHeader(await client.createPaymentPayload(required));
    const first = await fetch(expressServer.url, { headers: { 'PAYMENT-SIGNATURE': header } });
    expect(first.status).toBe(200);
    const replay = await fetch(expressServer.url, { headers: { 'PAYMENT-SIGNATURE': header } });
    expect(replay.status).toBe(402);
    expect(reasonOf(replay)).toBe(EvmReason.NonceAlreadyUsed);
  });

  it('10 concurrent copies of one payload: one 200, one transfer on chain, one payment.settled, the handler ran once', async () => {
    const account = buyerAccount(4);
    const required = await challenge(expressServer.url);
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false);
    const payload = await client.createPaymentPayload(required);
    const header = encodePaymentSignatureHeader(payload);
    const nonce = (payload.payload as { authorization: { nonce: string } }).authorization.nonce;
    const handlerBefore = expressServer.handlerCalls();
    const buyerBefore = await balance(account.address);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => fetch(expressServer.url, { headers: { 'PAYMENT-SIGNATURE': header } })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 402, 402, 402, 402, 402, 402, 402, 402, 402]);
    expect(responses.filter((r) => r.status === 402).every((r) => reasonOf(r) === EvmReason.NonceAlreadyUsed)).toBe(
      true,
    );
    expect(expressServer.handlerCalls()).toBe(handlerBefore + 1);
    expect(await balance(account.address)).toBe(buyerBefore - 2500n);

    const logs = await dev.publicClient.getLogs({ address: dev.token.address, fromBlock: 0n });
    const used = parseEventLogs({ abi: TEST_USDC_ABI, eventName: 'AuthorizationUsed', logs }).filter(
      (l) => l.args.nonce === nonce && l.args.authorizer === account.address,
    );
    expect(used).toHaveLength(1);
    const settled = (await allEvents(fac.eventLog)).filter(
      (e) => e.type === 'payment.settled' && e.data.payer === account.address,
    );
    expect(settled).toHaveLength(1);
  });

  it('refuses requests without a valid API key in production mode', async () => {
    const res = await fetch(`${fac.url}/supported`);
    expect(res.status).toBe(401);
    const bad = await fetch(`${fac.url}/supported`, { headers: { Authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
  });
});
