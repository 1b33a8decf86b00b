import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { chromium, type Browser, type Page } from 'playwright-core';
import { privateKeyToAccount } from 'viem/accounts';
import { startExpressResourceServer, type ResourceServer } from '../integration/facilitator/support/resource-servers';
import { startDaemon, type RunningDaemon } from './support/daemon-process';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it), driven by playwright-core. */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');

describe('the built-in revenue page at / (headless Chromium)', () => {
  let sut: RunningDaemon;
  let server: ResourceServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    sut = await startDaemon();
    server = await startExpressResourceServer(sut.baseUrl, {
      network: sut.dev.network,
      asset: sut.dev.asset.address,
      amount: '2500',
      payTo: sut.dev.providers[2]!.address,
      name: sut.dev.asset.name,
      version: sut.dev.asset.version,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sut?.stop('SIGTERM');
  });

  const pay = async (buyer: number): Promise<string> => {
    const account = privateKeyToAccount(sut.dev.buyers[buyer]!.privateKey);
    const paying = wrapFetchWithPayment(
      fetch,
      new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false),
    );
    const res = await paying(server!.url);
    expect(res.status).toBe(200);
    return decodePaymentResponseHeader(res.headers.get('PAYMENT-RESPONSE')!).transaction;
  };
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${sut.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sut.dev.adminApiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  /** Waits (bounded) until the projection has the payment, so the page's first load can show it. */
  const projected = async (tx: string): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const data = await gql<{ payments: { nodes: { id: string; transaction: string | null; status: string }[] } }>(
        'query { payments(first: 50) { nodes { id transaction status } } }',
      );
      const hit = data.payments.nodes.find((p) => p.transaction === tx && p.status === 'SETTLED');
      if (hit) return hit.id;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`payment with tx ${tx} was not projected within 10 s`);
  };
  const cardsText = (page: Page) => page.locator('#cards').innerText();

  it('shows a real paid request, updates live on the next payment and refund, and takes a screenshot', async () => {
    const firstTx = await pay(0);
    const paymentId = await projected(firstTx);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${sut.baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    await page.waitForSelector(`#payments td[title="${firstTx}"]`, { timeout: 20_000 });
    expect(await page.locator(`#payments tr[data-payment-id="${paymentId}"] .status`).innerText()).toBe('settled');
    expect(await cardsText(page)).toContain('0.0025'); // 2500 atomic units of a 6-decimals token, exact
    await page.waitForSelector('#live.on', { timeout: 10_000 });

    // A second payment while the page is open appears without a reload (graphql-ws subscription → refresh).
    const secondTx = await pay(1);
    await page.waitForSelector(`#payments td[title="${secondTx}"]`, { timeout: 20_000 });
    await page.locator('#cards', { hasText: '0.005' }).waitFor({ timeout: 20_000 });

    // A refund requested through the API shows up in the refunds table live, too.
    const refund = await gql<{ requestRefund: { refund: { id: string } | null; userErrors: unknown[] } }>(
      `mutation($input: RequestRefundInput!) { requestRefund(input: $input) { refund { id } userErrors { code } } }`,
      { input: { paymentId, idempotencyKey: 'page-1', reason: 'page test', amount: '1000' } },
    );
    expect(refund.requestRefund.userErrors).toEqual([]);
    await page.locator('#refunds tbody', { hasText: 'page test' }).waitFor({ timeout: 20_000 });

    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, 'revenue-page.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('asks for a key when the dev key is not offered, and refuses a wrong one with a message', async () => {
    const page = await browser!.newPage();
    await page.route('**/dev', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.goto(`${sut.baseUrl}/`);
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#key', 'x402_not_a_real_key_0123456789');
    await page.click('#keyform button[type=submit]');
    await page.locator('#keyerror', { hasText: /not accepted/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#keyerror').innerText()).toMatch(/not accepted/);
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.close();
  });
});
