import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventLog, EventLogModule, SILENT_EVENT_LOG_LOGGER, type LoggedEvent } from '@x402-ledger/event-log';
import {
  SignerKey,
  SignerPool,
  TEST_USDC_ABI,
  ViemEvmChains,
  devChainNetwork,
  type DevAccount,
  type DevChain,
} from '@x402-ledger/evm';
import {
  Clock,
  LedgerJournal,
  initialPaymentState,
  type EventEnvelope,
  type PaymentCommand,
} from '@x402-ledger/ledger';
import {
  DisputeService,
  DuplicatePaymentsService,
  PaymentStreamStore,
  PaymentWorkflowAdapter,
  RefundExecutor,
  RefundNetworks,
  RefundService,
  RefundsModule,
  RefundsWorker,
  WorkflowIndexService,
  refundNetworksFrom,
  type RefundsOptionsInput,
} from '@x402-ledger/refunds';
import { custom, type Address, type Hex } from 'viem';
import { settleOnChain } from '../../support/chain-settlements';
import { buildEnvelopes } from '../../../../libs/refunds/src/testing/payment-stream.fixture';

/** A clock tests move by hand (the ledger's Clock port). */
export class FakeClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const TENANT = 'acme';
export const SIWX_DOMAIN = 'ledger.test';

export interface Harness {
  app: INestApplicationContext;
  log: EventLog;
  clock: FakeClock;
  refunds: RefundService;
  disputes: DisputeService;
  duplicates: DuplicatePaymentsService;
  executor: RefundExecutor;
  worker: RefundsWorker;
  index: WorkflowIndexService;
  store: PaymentStreamStore;
  workflow: PaymentWorkflowAdapter;
  dir: string;
  close(): Promise<void>;
}

/**
 * The RefundsModule as the daemon composes it (EventLogModule on a real embedded log in a temp folder, Nest DI),
 * with payment streams standalone (no facilitator in this process), the dev chain as its only network (the refund
 * signer is facilitator signer #1; #0 settles the test payments, so their nonces never meet), and a fake clock.
 */
export async function startHarness(
  dev: DevChain,
  options: Partial<RefundsOptionsInput> = {},
  dir?: string,
): Promise<Harness> {
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'x402-refunds-'));
  const clock = new FakeClock(new Date());
  const config = devChainNetwork(dev, { signerKeys: [SignerKey.parse(dev.facilitatorSigners[1].privateKey)!] });
  const chains = new ViemEvmChains([config], { transports: { [dev.network]: custom(dev.provider) } });
  const chain = chains.get(dev.network)!;
  const signers = new SignerPool(config.signerKeys, chain);
  const networks = refundNetworksFrom({ get: (id) => (id === dev.network ? { config, chain, signers } : undefined) });

  @Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(folder, 'log')}`, logger: SILENT_EVENT_LOG_LOGGER }),
      RefundsModule.forRoot({
        options: { siwxDomain: SIWX_DOMAIN, tickIntervalMs: 0, stateDir: join(folder, 'refunds'), ...options },
        paymentStreams: 'standalone',
        providers: [
          { provide: Clock, useValue: clock },
          { provide: RefundNetworks, useValue: networks },
        ],
      }),
    ],
  })
  class HarnessModule {}

  const app = await NestFactory.createApplicationContext(HarnessModule, { logger: false });
  await app.init();
  const get = <T>(token: abstract new (...args: never[]) => T): T => app.get(token as never, { strict: false });
  return {
    app,
    clock,
    dir: folder,
    log: get(EventLog),
    refunds: get(RefundService),
    disputes: get(DisputeService),
    duplicates: get(DuplicatePaymentsService),
    executor: get(RefundExecutor),
    worker: get(RefundsWorker),
    index: get(WorkflowIndexService),
    store: get(PaymentStreamStore),
    workflow: get(PaymentWorkflowAdapter),
    async close() {
      await app.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function usdcBalance(dev: DevChain, address: Address): Promise<bigint> {
  return (await dev.publicClient.readContract({
    address: dev.token.address,
    abi: TEST_USDC_ABI,
    functionName: 'balanceOf',
    args: [address],
  })) as bigint;
}

export interface SettledPayment {
  paymentId: string;
  payer: Address;
  payTo: Address;
  amount: bigint;
  txHash: Hex;
}

let settleQueue: Promise<unknown> = Promise.resolve();

/**
 * Pays on the dev chain the way a facilitator settles (the buyer signs an EIP-3009 authorization to payTo; facilitator
 * signer #0 submits transferWithAuthorization), then records payment.verified + payment.settled on the log with the
 * ledger's own decide/EventFactory, as the facilitator does, and folds them into the module's store.
 */
export async function settlePayment(
  h: Harness,
  dev: DevChain,
  input: { buyer: DevAccount; payTo: DevAccount; amount: bigint; resourceUrl?: string; tenant?: string },
): Promise<SettledPayment> {
  const run = async (): Promise<SettledPayment> => {
    const tenant = input.tenant ?? TENANT;
    const paid = await settleOnChain(dev, { ...input, tenant });
    await recordFacts(h, paid.paymentId, tenant, paid.commands);
    return {
      paymentId: paid.paymentId,
      payer: paid.payer,
      payTo: paid.payTo,
      amount: paid.amount,
      txHash: paid.txHash,
    };
  };
  const next = settleQueue.then(run, run);
  settleQueue = next.catch(() => undefined);
  return next;
}

/** The facilitator's write path, minimal: decide → EventFactory → append (durable) → fold. */
async function recordFacts(h: Harness, paymentId: string, tenant: string, commands: PaymentCommand[]): Promise<void> {
  const from = h.store.get(paymentId) ?? initialPaymentState();
  const meta = { correlationId: `test:${paymentId}`, producer: 'facilitator-test' };
  const { envelopes } = buildEnvelopes(h.clock, tenant, paymentId, commands, from, meta);
  await h.log.append(envelopes);
  h.store.apply(envelopes);
  await h.index.catchUp();
}

/** Every fact on the log, in order. */
export async function allEvents(log: EventLog): Promise<EventEnvelope[]> {
  const out: LoggedEvent[] = [];
  await log.replay(async (batch) => void out.push(...batch));
  return out.map((e) => e.envelope);
}

/** The double-entry journal folded from the whole log (the ledger's postings for every fact). */
export async function journal(log: EventLog): Promise<LedgerJournal> {
  const j = new LedgerJournal();
  for (const e of await allEvents(log)) j.record(e);
  return j;
}
