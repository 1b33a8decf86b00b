import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { createPublicClient, erc20Abi, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { verifyWebhook } from '@x402-ledger/webhooks';
import { startExpressResourceServer, type ResourceServer } from '../integration/facilitator/support/resource-servers';
import { startDaemon, type RunningDaemon } from './support/daemon-process';

interface Gql<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * The daemon as one product: a provider key created through GraphQL authenticates an unmodified @x402/express
 * server at our facilitator, an @x402/fetch buyer pays, the payment shows up in GraphQL under the provider's tenant
 * only, and the provider refunds it through the mutations — executed on chain by the dev hot wallet.
 */
describe('daemon: provider key → paid request → GraphQL → refund on chain', () => {
  let sut: RunningDaemon;
  let server: ResourceServer | undefined;
  let receiver: Server | undefined;
  const received: { headers: Record<string, string>; body: string }[] = [];

  beforeAll(async () => {
    sut = await startDaemon();
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await sut?.stop('SIGTERM');
  });

  const gql = async <T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<Gql<T>> => {
    const res = await fetch(`${sut.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Gql<T>;
  };
  const balance = (address: Hex) =>
    createPublicClient({ transport: http(sut.dev.rpcUrl) }).readContract({
      address: sut.dev.asset.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    });
  const createKey = async (tenant: string) => {
    const created = await gql<{ createApiKey: { key: string } }>(
      sut.dev.adminApiKey,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
      { input: { label: `${tenant} e2e`, tenant } },
    );
    expect(created.errors).toBeUndefined();
    return created.data!.createApiKey.key;
  };

  it('settles under the key’s tenant, lists it for that tenant only, and refunds it through GraphQL', async () => {
    const acmeKey = await createKey('acme');
    const otherKey = await createKey('globex');

    // The provider registers a webhook endpoint (a local receiver) through the management API.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const registered = await fetch(`${sut.baseUrl}/webhooks/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acmeKey}` },
      body: JSON.stringify({ url: hookUrl, eventTypes: ['payment.settled', 'refund.*'] }),
    });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    const badHook = await fetch(`${sut.baseUrl}/webhooks/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acmeKey}` },
      body: JSON.stringify({ url: hookUrl, eventTypes: ['no.such_event'] }),
    });
    expect(badHook.status).toBe(400);
    expect(await badHook.json()).toMatchObject({ error: 'INVALID_INPUT' });
    const foreignList = await fetch(`${sut.baseUrl}/webhooks/endpoints`, {
      headers: { authorization: `Bearer ${otherKey}` },
    });
    expect(((await foreignList.json()) as { endpoints: unknown[] }).endpoints).toEqual([]);
    const payTo = sut.dev.providers[0]!;
    server = await startExpressResourceServer(
      sut.baseUrl,
      {
        network: sut.dev.network,
        asset: sut.dev.asset.address,
        amount: '7500',
        payTo: payTo.address,
        name: sut.dev.asset.name,
        version: sut.dev.asset.version,
      },
      acmeKey,
    );
    const buyer = privateKeyToAccount(sut.dev.buyers[0]!.privateKey);
    const before = await balance(buyer.address);

    const pay = wrapFetchWithPayment(
      fetch,
      new x402Client().register('eip155:*', new ExactEvmScheme(buyer)).setSpendControls(false),
    );
    const res = await pay(server.url);
    expect(res.status).toBe(200);
    const receipt = decodePaymentResponseHeader(res.headers.get('PAYMENT-RESPONSE')!);
    expect(receipt.success).toBe(true);
    expect(await balance(buyer.address)).toBe(before - 7500n);

    // Operators see it on /metrics: one valid verify and one successful settle on the dev network, with latency.
    const metrics = await (await fetch(`${sut.baseUrl}/metrics`)).text();
    const net = sut.dev.network;
    expect(metrics).toContain(
      `x402_facilitator_requests_total{route="verify",network="${net}",outcome="valid",reason="none"} 1`,
    );
    expect(metrics).toContain(
      `x402_facilitator_requests_total{route="settle",network="${net}",outcome="success",reason="none"} 1`,
    );
    expect(metrics).toMatch(
      /x402_facilitator_request_duration_seconds_count\{route="settle",[^}]*outcome="success"\} 1/,
    );

    // The projector makes it queryable within a bounded time.
    type Payments = { payments: { nodes: { id: string; tenant: string; status: string; transaction: string }[] } };
    const list = 'query { payments(first: 10) { nodes { id tenant status transaction } } }';
    let payment: Payments['payments']['nodes'][number] | undefined;
    for (let i = 0; i < 100 && !payment; i++) {
      const r = await gql<Payments>(acmeKey, list);
      expect(r.errors).toBeUndefined();
      // Visible once the projection has the settlement (the submitted fact, with the same tx, may come first).
      payment = r.data!.payments.nodes.find((p) => p.transaction === receipt.transaction && p.status === 'SETTLED');
      if (!payment) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(payment).toMatchObject({ tenant: 'acme', status: 'SETTLED' });
    // Its timeline lists the events, and revenue equals what was paid.
    const detail = await gql<{ payment: { timeline: { type: string }[] } }>(
      acmeKey,
      'query($id: ID!) { payment(id: $id) { timeline { type } } }',
      { id: payment!.id },
    );
    expect(detail.data!.payment.timeline.map((e) => e.type)).toEqual([
      'payment.verified',
      'payment.settlement_submitted',
      'payment.settled',
    ]);
    const day = 24 * 3600 * 1000;
    const revenue = await gql<{ revenue: { series: { totals: { gross: string; count: number } }[] } }>(
      acmeKey,
      'query($r: RequiredTimeRangeInput!) { revenue(range: $r, interval: HOUR) { series { totals { gross count } } } }',
      { r: { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + 3600_000).toISOString() } },
    );
    expect(revenue.data!.revenue.series.map((x) => x.totals)).toEqual([{ gross: '7500', count: 1 }]);
    const foreign = await gql<Payments>(otherKey, list);
    expect(foreign.data!.payments.nodes).toEqual([]);

    // Another tenant cannot touch it; the owner can refund it in three steps.
    const request = `mutation($input: RequestRefundInput!) {
      requestRefund(input: $input) { refund { id status amount } userErrors { code message } } }`;
    const stolen = await gql<{ requestRefund: { userErrors: { code: string }[] } }>(otherKey, request, {
      input: { paymentId: payment!.id, idempotencyKey: 'r-1', reason: 'customer asked' },
    });
    expect(stolen.data!.requestRefund.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);

    type RefundAnswer = { refund: { id: string; status: string; amount: string; transaction: string | null } | null };
    const requested = await gql<{ requestRefund: RefundAnswer & { userErrors: unknown[] } }>(acmeKey, request, {
      input: { paymentId: payment!.id, idempotencyKey: 'r-1', reason: 'customer asked', amount: '2500' },
    });
    expect(requested.data!.requestRefund.userErrors).toEqual([]);
    const refundId = requested.data!.requestRefund.refund!.id;
    expect(requested.data!.requestRefund.refund).toMatchObject({ status: 'REQUESTED', amount: '2500' });

    const approved = await gql<{ approveRefund: RefundAnswer }>(
      acmeKey,
      `mutation($input: ApproveRefundInput!) { approveRefund(input: $input) { refund { id status amount transaction } userErrors { code } } }`,
      { input: { refundId, idempotencyKey: 'a-1' } },
    );
    expect(approved.data!.approveRefund.refund!.status).toBe('APPROVED');

    const executed = await gql<{ executeRefund: RefundAnswer & { userErrors: { code: string; message: string }[] } }>(
      acmeKey,
      `mutation($input: ExecuteRefundInput!) { executeRefund(input: $input) { refund { id status amount transaction } userErrors { code message } } }`,
      { input: { refundId, idempotencyKey: 'e-1' } },
    );
    expect(executed.data!.executeRefund.userErrors).toEqual([]);
    const refund = executed.data!.executeRefund.refund!;
    expect(['SUBMITTED', 'SUCCEEDED']).toContain(refund.status);
    expect(refund.transaction).toMatch(/^0x[0-9a-f]{64}$/);

    // The money really went back to the buyer.
    let back = 0n;
    for (let i = 0; i < 100 && back !== before - 5000n; i++) {
      back = await balance(buyer.address);
      if (back !== before - 5000n) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(back).toBe(before - 5000n);

    // The refund worker confirms it (receipt) and the ledger records refund.succeeded.
    let status = refund.status;
    for (let i = 0; i < 100 && status !== 'SUCCEEDED'; i++) {
      const r = await gql<{ refund: { status: string; refundedAmount: string } | null }>(
        acmeKey,
        'query($id: ID!) { refund(id: $id) { status refundedAmount } }',
        { id: refundId },
      );
      status = r.data!.refund?.status ?? 'missing';
      if (status !== 'SUCCEEDED') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('SUCCEEDED');

    // More than what is left is refused with a typed error and changes nothing.
    const tooMuch = await gql<{ requestRefund: RefundAnswer & { userErrors: { code: string }[] } }>(acmeKey, request, {
      input: { paymentId: payment!.id, idempotencyKey: 'r-2', reason: 'again', amount: '5001' },
    });
    expect(tooMuch.data!.requestRefund.refund).toBeNull();
    expect(tooMuch.data!.requestRefund.userErrors.map((e) => e.code)).toEqual(['REFUND_EXCEEDS_SETTLED']);

    // The provider's endpoint got signed deliveries of the settlement and the refund's steps, each verifiable.
    const wanted = ['payment.settled', 'refund.requested', 'refund.approved', 'refund.submitted', 'refund.succeeded'];
    for (let i = 0; i < 100 && received.length < wanted.length; i++) await new Promise((r) => setTimeout(r, 100));
    const events = received.map((r) => {
      const verified = verifyWebhook({ secret, headers: r.headers, body: r.body });
      expect(verified).toBeTruthy();
      return JSON.parse(r.body) as { type: string; tenant: string; data: { paymentId?: string } };
    });
    expect(events.map((e) => e.type).sort()).toEqual([...wanted].sort());
    expect(new Set(events.map((e) => e.tenant))).toEqual(new Set(['acme']));
    expect(() =>
      verifyWebhook({ secret, headers: received[0]!.headers, body: received[0]!.body.replace('acme', 'evil') }),
    ).toThrow();
  });

  it('rejects a resource server that presents an unknown key (401 from /verify)', async () => {
    const res = await fetch(`${sut.baseUrl}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key-0123456789' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});
