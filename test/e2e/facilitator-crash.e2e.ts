import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createEventLog, type EventLog } from '@x402-ledger/event-log';
import { type DevChain, signEip3009Request, startDevChain, TEST_USDC_ABI } from '@x402-ledger/evm';
import { paymentId } from '@x402-ledger/ledger';
import { EvmReason, type FacilitatorRequestV2 } from '@x402-ledger/protocol';
import { parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const CHILD = join(__dirname, '..', 'integration', 'facilitator', 'support', 'facilitator-child.js');

interface Child {
  process: ChildProcess;
  url: string;
}

async function startChild(dev: DevChain, dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      FAC_DATA_DIR: dataDir,
      FAC_NETWORK: JSON.stringify({
        network: dev.network,
        chainId: dev.chainId,
        rpcUrl: dev.rpcUrl,
        receiptTimeoutMs: 20_000,
      }),
      FAC_KEYS: dev.facilitatorSigners[0].privateKey,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('facilitator child did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line.slice(6));
      }
    });
    child.once('exit', (code) => reject(new Error(`facilitator child exited (${code})`)));
  });
  return { process: child, url };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function eventsOf(log: EventLog, streamId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const out: { type: string; data: Record<string, unknown> }[] = [];
  await log.replay(async (batch) => {
    for (const { envelope } of batch)
      if (envelope.streamId === streamId) out.push({ type: envelope.type, data: envelope.data });
  });
  return out;
}

describe('crash: SIGKILL between broadcast and receipt', () => {
  let dev: DevChain;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Interval mining: a broadcast transaction waits up to 4 s for its block, the window the crash lands in.
    dev = await startDevChain({ rpcPort: 0, blockTimeMs: 4_000 });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await dev?.close();
  });

  it('after a restart the payment ends settled once, and a retried /settle returns the same tx hash', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'x402-crash-'));
    const first = await startChild(dev, dataDir);
    children.push(first.process);
    const buyer = privateKeyToAccount(dev.buyers[0].privateKey);
    const request: FacilitatorRequestV2 = await signEip3009Request({
      account: buyer,
      chainId: dev.chainId,
      requirements: {
        scheme: 'exact',
        network: dev.network,
        amount: '4242',
        asset: dev.token.address,
        payTo: dev.providers[0].address,
        maxTimeoutSeconds: 300,
        extra: { name: dev.token.name, version: dev.token.version },
      },
    });
    const auth = (request.paymentPayload.payload as { authorization: { nonce: `0x${string}` } }).authorization;
    const id = paymentId({ network: dev.network, asset: dev.token.address, payer: buyer.address, nonce: auth.nonce });
    const settle = (url: string) =>
      fetch(`${url}/settle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      }).then((r) => r.json() as Promise<{ success: boolean; transaction: string; errorReason?: string }>);

    const inFlight = settle(first.url).catch(() => undefined);
    const log = await createEventLog(`file:${join(dataDir, 'log')}`);
    try {
      const submitted = await waitFor('payment.settlement_submitted', async () =>
        (await eventsOf(log, id)).find((e) => e.type === 'payment.settlement_submitted'),
      );
      const txHash = submitted.data.txHash as `0x${string}`;
      expect(await dev.publicClient.getTransactionReceipt({ hash: txHash }).catch(() => null)).toBeNull();
      first.process.kill('SIGKILL');
      await inFlight;

      const second = await startChild(dev, dataDir);
      children.push(second.process);
      const settled = await waitFor('payment.settled after restart', async () =>
        (await eventsOf(log, id)).find((e) => e.type === 'payment.settled'),
      );
      expect(settled.data.txHash).toBe(txHash);

      const retry = await settle(second.url);
      expect(retry).toMatchObject({ success: true, transaction: txHash });
      const again = await settle(second.url);
      expect(again).toMatchObject({ success: false, errorReason: EvmReason.NonceAlreadyUsed, transaction: txHash });

      const types = (await eventsOf(log, id)).map((e) => e.type);
      expect(types.filter((t) => t === 'payment.settled')).toHaveLength(1);
      expect(types.filter((t) => t === 'payment.settlement_submitted')).toHaveLength(1);
      const logs = await dev.publicClient.getLogs({ address: dev.token.address, fromBlock: 0n });
      const used = parseEventLogs({ abi: TEST_USDC_ABI, eventName: 'AuthorizationUsed', logs }).filter(
        (l) => l.args.nonce === auth.nonce,
      );
      expect(used).toHaveLength(1);
      second.process.kill('SIGTERM');
    } finally {
      await log.close();
    }
  });
});
