import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { devChainNetwork, TEST_USDC_ABI, type DevChain } from '@x402-ledger/evm';
import { FacilitatorModule, StaticApiKeyStore } from '@x402-ledger/facilitator';
import type { EventEnvelope } from '@x402-ledger/ledger';
import { wrapFetchWithSession, SessionTokenStore, type SessionFetchEvent } from '@x402-ledger/session-guard';
import type { SessionPolicyInput, SessionsModuleOptions } from '@x402-ledger/sessions';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { startSessionsApp, type SessionsApp } from '../../../../libs/sessions/src/testing/sessions-app';
import {
  startTestResourceServer,
  type TestResourceServer,
  type TestResourceServerOptions,
} from '../../../../libs/session-guard/src/testing/resource-server';

export const FAC_KEY = 'fac_test_key_0123456789abcdef';
export const SESS_KEY = 'sess_test_key_0123456789abcdef';
export const TENANT = 'acme';
export const PRICE = '1000';

/** Policies of the test provider: GET /weather* (1000 calls, local enforcement) and GET /report (3 calls, strict). */
export function testPolicies(dev: DevChain, overrides: Partial<SessionPolicyInput> = {}): SessionPolicyInput[] {
  const accepts = [
    { network: dev.network, asset: dev.token.address, payTo: dev.providers[0].address, minAmount: PRICE },
  ];
  return [
    {
      id: 'weather',
      tenant: TENANT,
      routes: ['GET /weather', 'GET /weather/:city'],
      accepts,
      durationSeconds: 3600,
      maxCalls: 1000,
      ...overrides,
    },
    {
      id: 'report',
      tenant: TENANT,
      routes: ['GET /report'],
      accepts,
      durationSeconds: 3600,
      maxCalls: 3,
      enforcement: 'strict',
    },
  ];
}

/** The daemon's modules in one Nest app: embedded log + facilitator (dev chain) + sessions. */
export async function startStack(
  dev: DevChain,
  opts: { dataDir?: string; policies?: SessionPolicyInput[]; sessions?: Partial<SessionsModuleOptions> } = {},
): Promise<SessionsApp & { dataDir: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'x402-sessions-'));
  const app = await startSessionsApp({
    dataDir,
    imports: [
      FacilitatorModule.forRoot({
        networks: [devChainNetwork(dev)],
        mode: 'dev',
        stateDir: join(dataDir, 'facilitator'),
        apiKeyStore: new StaticApiKeyStore({ [FAC_KEY]: TENANT }),
      }),
    ],
    sessions: {
      dataDir,
      auth: { apiKeys: { [SESS_KEY]: TENANT } },
      policies: opts.policies ?? testPolicies(dev),
      publicClients: { [dev.network]: dev.publicClient },
      ...opts.sessions,
    },
  });
  return Object.assign(app, { dataDir });
}

export function resourceServer(
  dev: DevChain,
  stack: { url: string },
  mode: TestResourceServerOptions['mode'],
  extra: Partial<TestResourceServerOptions> = {},
): Promise<TestResourceServer> {
  return startTestResourceServer({
    mode,
    facilitatorUrl: stack.url,
    facilitatorApiKey: FAC_KEY,
    network: dev.network,
    asset: dev.token.address,
    assetName: dev.token.name,
    assetVersion: dev.token.version,
    payTo: dev.providers[0].address,
    amount: PRICE,
    session: mode === 'session' ? { serviceUrl: stack.url, apiKey: SESS_KEY, revocationPollMs: 250 } : undefined,
    ...extra,
  });
}

export function buyer(dev: DevChain, index: number): PrivateKeyAccount {
  return privateKeyToAccount(dev.buyers[index % dev.buyers.length].privateKey);
}

/** The official buyer (@x402/fetch + ExactEvmScheme), spend controls off (the dev token is not a default asset). */
export function officialBuyer(account: PrivateKeyAccount): ReturnType<typeof wrapFetchWithPayment> {
  return wrapFetchWithPayment(
    fetch,
    new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false),
  );
}

/** The official buyer wrapped by the session client. */
export function sessionBuyer(
  account: PrivateKeyAccount,
  opts: { store?: SessionTokenStore; wire?: typeof fetch } = {},
): { fetch: ReturnType<typeof wrapFetchWithSession>; store: SessionTokenStore; events: SessionFetchEvent[] } {
  const client = new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false);
  const store = opts.store ?? new SessionTokenStore();
  const events: SessionFetchEvent[] = [];
  const sessionFetch = wrapFetchWithSession(opts.wire ?? fetch, client, {
    signer: account,
    store,
    onEvent: (e) => events.push(e),
  });
  return { fetch: sessionFetch, store, events };
}

export interface WireRecord {
  method: string;
  url: string;
  status: number;
  request: Record<string, string>;
  response: Record<string, string>;
}

/** A fetch that records every request that goes on the wire (method, url, status, headers). */
export function recordingFetch(records: WireRecord[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const requestHeaders = Object.fromEntries(request.headers.entries());
    const response = await fetch(request);
    records.push({
      method: request.method,
      url: request.url,
      status: response.status,
      request: requestHeaders,
      response: Object.fromEntries(response.headers.entries()),
    });
    return response;
  };
}

export async function usdcBalance(dev: DevChain, address: `0x${string}`): Promise<bigint> {
  return (await dev.publicClient.readContract({
    address: dev.token.address,
    abi: TEST_USDC_ABI,
    functionName: 'balanceOf',
    args: [address],
  })) as bigint;
}

/** Every envelope on the log, in order. */
export async function logEvents(app: SessionsApp): Promise<EventEnvelope[]> {
  const out: EventEnvelope[] = [];
  await app.eventLog.replay(async (batch) => {
    for (const { envelope } of batch) out.push(envelope);
  });
  return out;
}

/** Polls `check` every 50 ms until it returns true (bounded). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
