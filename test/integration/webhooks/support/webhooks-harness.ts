import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventLog, EventLogModule, SILENT_EVENT_LOG_LOGGER, type EventLogModuleOptions } from '@x402-ledger/event-log';
import {
  Clock,
  initialPaymentState,
  paymentId as derivePaymentId,
  refundId as deriveRefundId,
  type EventEnvelope,
  type PaymentCommand,
} from '@x402-ledger/ledger';
import {
  WebhookDeliveriesService,
  WebhookDispatcher,
  WebhookEndpointsService,
  WebhookStore,
  WebhooksModule,
  verifyWebhook,
  type WebhooksOptionsInput,
} from '@x402-ledger/webhooks';
import { getAddress, toHex } from 'viem';
import { buildEnvelopes } from '../../../../libs/refunds/src/testing/payment-stream.fixture';
export { until } from '../../support/until';

export class FakeClock extends Clock {
  constructor(private current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
}

export interface WebhooksHarness {
  app: INestApplicationContext;
  log: EventLog;
  endpoints: WebhookEndpointsService;
  deliveries: WebhookDeliveriesService;
  dispatcher: WebhookDispatcher;
  store: WebhookStore;
  close(): Promise<void>;
}

/** The WebhooksModule composed as in the daemon (EventLogModule + WebhooksModule), on a fake clock, no dispatch loop. */
export async function startWebhooks(
  log: EventLogModuleOptions,
  options: WebhooksOptionsInput,
  clock: FakeClock,
): Promise<WebhooksHarness> {
  @Module({
    imports: [
      EventLogModule.forRoot({ logger: SILENT_EVENT_LOG_LOGGER, ...log }),
      WebhooksModule.forRoot({
        options: { dispatchIntervalMs: 0, allowPrivateUrls: true, requestTimeoutMs: 2000, ...options },
        providers: [{ provide: Clock, useValue: clock }],
      }),
    ],
  })
  class WebhooksHarnessModule {}
  const app = await NestFactory.createApplicationContext(WebhooksHarnessModule, { logger: false });
  await app.init();
  const get = <T>(token: abstract new (...args: never[]) => T): T => app.get(token as never, { strict: false });
  return {
    app,
    log: get(EventLog),
    endpoints: get(WebhookEndpointsService),
    deliveries: get(WebhookDeliveriesService),
    dispatcher: get(WebhookDispatcher),
    store: get(WebhookStore),
    close: () => app.close(),
  };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that does what the docs tell receivers to do: verify the signature, skip a
 * delivery id already processed, process, answer 2xx. `failFirst` makes it process a delivery but answer 500 the
 * first time (a lost response): the retry must not be processed twice.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** deliveryId → event id, in processing order. */
  readonly processed = new Map<string, string>();
  readonly rejected: string[] = [];
  failFirst = false;
  private server: Server | null = null;
  port = 0;

  constructor(private readonly secret: () => string) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ headers: req.headers, body });
        let deliveryId: string;
        let eventId: string;
        try {
          const verified = verifyWebhook({
            secret: this.secret(),
            headers: req.headers,
            body,
            toleranceSeconds: 10 * 365 * 24 * 3600,
          });
          deliveryId = verified.deliveryId;
          eventId = verified.event.id;
        } catch (error) {
          this.rejected.push((error as { code?: string }).code ?? String(error));
          res.writeHead(400).end();
          return;
        }
        const seen = this.processed.has(deliveryId);
        if (!seen) this.processed.set(deliveryId, eventId);
        res.writeHead(this.failFirst && !seen ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }
}

/** A free loopback port (closed again), so the receiver can be "down" on a known port first. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A settled payment's facts (verified + settled) and, optionally, a refund request, built with the ledger's own
 * decide/EventFactory and appended durably (the facilitator's write path). Not on a chain: webhooks only read the log.
 */
export async function appendPayment(
  log: EventLog,
  clock: Clock,
  tenant: string,
  options: { refund?: boolean } = {},
): Promise<EventEnvelope[]> {
  const payer = getAddress(toHex(randomBytes(20)));
  const payTo = getAddress(toHex(randomBytes(20)));
  const asset = getAddress('0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const nonce = toHex(randomBytes(32));
  const paymentId = derivePaymentId({ network: 'eip155:31337', asset, payer, nonce });
  const common = {
    paymentId,
    scheme: 'exact',
    network: 'eip155:31337',
    asset,
    amount: '1000',
    payer,
    payTo,
    resourceUrl: 'http://127.0.0.1:4021/weather',
  };
  const commands: PaymentCommand[] = [
    {
      type: 'RecordVerified',
      data: {
        ...common,
        nonce,
        validAfter: '0',
        validBefore: '9999999999',
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
    },
    {
      type: 'RecordSettled',
      data: {
        ...common,
        txHash: toHex(randomBytes(32)),
        blockNumber: '7',
        blockTimestamp: clock.now().toISOString(),
        logIndex: 0,
        gasUsed: '60000',
        effectiveGasPrice: '1000000000',
        signer: getAddress(toHex(randomBytes(20))),
      },
    },
  ];
  if (options.refund) {
    const refundId = deriveRefundId({ paymentId, idempotencyKey: 'k' });
    commands.push(
      {
        type: 'RequestRefund',
        data: { refundId, paymentId, amount: '400', reason: 'test', requestedBy: 'provider', idempotencyKey: 'k' },
      },
      { type: 'ApproveRefund', data: { refundId, approvedBy: 'key:test' } },
    );
  }
  const meta = { correlationId: `test:${paymentId}`, producer: 'webhooks-test' };
  const { envelopes } = buildEnvelopes(clock, tenant, paymentId, commands, initialPaymentState(), meta);
  await log.append(envelopes);
  return envelopes;
}
