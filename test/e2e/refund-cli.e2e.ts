import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { createPublicClient, erc20Abi, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startExpressResourceServer, type ResourceServer } from '../integration/facilitator/support/resource-servers';
import { startDaemon, type RunningDaemon } from './support/daemon-process';

const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'refunds.js');

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * `npm run refunds -- authorize`: the provider signs an EIP-3009 refund authorization with its payTo key, offline, and
 * the daemon's facilitator signer submits it — the provider's wallet spends no gas and sends no transaction.
 */
describe('refund CLI: provider-signed authorization executed by the daemon', () => {
  let sut: RunningDaemon;
  let server: ResourceServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'x402-refund-cli-'));

  beforeAll(async () => {
    sut = await startDaemon();
  });
  afterAll(async () => {
    await server?.close();
    await sut?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const gql = async <T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${sut.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  };

  it('signs with the payTo key, the daemon submits, the money goes back, and a wrong key is refused', async () => {
    const { createApiKey } = await gql<{ createApiKey: { key: string } }>(
      sut.dev.adminApiKey,
      'mutation { createApiKey(input: { tenant: "acme", label: "cli" }) { key } }',
    );
    const key = createApiKey.key;
    const payTo = sut.dev.providers[2]!;
    server = await startExpressResourceServer(
      sut.baseUrl,
      {
        network: sut.dev.network,
        asset: sut.dev.asset.address,
        amount: '2000000000', // 2000 USDC: the refund below is above the dev hot wallet's per-refund limit
        payTo: payTo.address,
        name: sut.dev.asset.name,
        version: sut.dev.asset.version,
      },
      key,
    );
    const buyer = privateKeyToAccount(sut.dev.buyers[3]!.privateKey);
    const paid = await wrapFetchWithPayment(
      fetch,
      new x402Client().register('eip155:*', new ExactEvmScheme(buyer)).setSpendControls(false),
    )(server.url);
    expect(paid.status).toBe(200);

    let paymentId: string | undefined;
    for (let i = 0; i < 100 && !paymentId; i++) {
      const data = await gql<{ payments: { nodes: { id: string; payer: string }[] } }>(
        key,
        'query { payments(first: 10) { nodes { id payer } } }',
      );
      paymentId = data.payments.nodes.find((p) => p.payer.toLowerCase() === buyer.address.toLowerCase())?.id;
      if (!paymentId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(paymentId).toBeDefined();
    const requested = await gql<{ requestRefund: { refund: { id: string } } }>(
      key,
      'mutation($i: RequestRefundInput!) { requestRefund(input: $i) { refund { id } } }',
      { i: { paymentId, idempotencyKey: 'cli-r', reason: 'late delivery', amount: '1500000000' } },
    );
    const refundId = requested.requestRefund.refund.id;
    // 1500 USDC is above the dev hot wallet's per-refund limit (1000 USDC): it waits for the provider's signature.
    await gql(key, 'mutation($i: ApproveRefundInput!) { approveRefund(input: $i) { refund { id } } }', {
      i: { refundId, idempotencyKey: 'cli-a' },
    });

    const wrongKey = join(dir, 'wrong.key');
    writeFileSync(wrongKey, `${sut.dev.buyers[0]!.privateKey}\n`, { mode: 0o600 });
    const refused = await run(
      ['authorize', '--refund', refundId, '--key-file', wrongKey, '--api', sut.baseUrl, '--execute'],
      {
        X402_API_KEY: key,
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/but the refund is paid from payTo/);
    expect(refused.stderr + refused.stdout).not.toContain(sut.dev.buyers[0]!.privateKey.slice(2));

    const chain = createPublicClient({ transport: http(sut.dev.rpcUrl) });
    const balance = (a: Hex) =>
      chain.readContract({ address: sut.dev.asset.address, abi: erc20Abi, functionName: 'balanceOf', args: [a] });
    const [buyerBefore, payToBefore, payToTxs] = [
      await balance(buyer.address),
      await balance(payTo.address),
      await chain.getTransactionCount({ address: payTo.address }),
    ];
    const keyFile = join(dir, 'payto.key');
    writeFileSync(keyFile, `${payTo.privateKey}\n`, { mode: 0o600 });
    const done = await run(
      ['authorize', '--refund', refundId, '--key-file', keyFile, '--api', sut.baseUrl, '--execute'],
      {
        X402_API_KEY: key,
      },
    );
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).not.toContain(payTo.privateKey.slice(2));
    const [signed, executed] = done.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(signed).toMatchObject({ refundId, authorization: { value: '1500000000', validAfter: '0' } });
    expect(executed).toMatchObject({
      executed: true,
      method: 'authorization',
      transaction: expect.stringMatching(/^0x/),
    });
    expect(await balance(buyer.address)).toBe(buyerBefore + 1_500_000_000n);
    expect(await balance(payTo.address)).toBe(payToBefore - 1_500_000_000n);
    expect(await chain.getTransactionCount({ address: payTo.address })).toBe(payToTxs); // no gas from the provider
  });
});
