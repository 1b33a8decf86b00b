// A writer process of the ownership acceptance test: the refunds lib's PaymentCommandBus over a Kafka event log,
// with the payment states folded only for the partitions this process owns (StreamOwnership, one consumer group
// shared with the other writer). Serves POST /refund on 127.0.0.1 (free port, printed as `READY <port>`).
// Env: KAFKA_URL, WRITERS_GROUP, SNAPSHOT_DIR, ADVERTISED_NAME.
import 'reflect-metadata';
import { createServer, type IncomingMessage } from 'node:http';
import { createEventLog, createStreamOwnership, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';
import { Clock, LedgerException, refundId as deriveRefundId } from '@x402-ledger/ledger';
import {
  FoldedPaymentStreams,
  InProcessPaymentLocks,
  PaymentCommandBus,
  RefundsException,
  resolveRefundsOptions,
} from '@x402-ledger/refunds';

class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  return JSON.parse(raw) as Record<string, string>;
}

async function main(): Promise<void> {
  const env = process.env;
  const log = await createEventLog(env.KAFKA_URL as string, { logger: SILENT_EVENT_LOG_LOGGER });
  const ownership = createStreamOwnership(log, {
    group: env.WRITERS_GROUP,
    snapshotDir: env.SNAPSHOT_DIR,
    advertisedUrl: env.ADVERTISED_NAME,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 300,
    claimWaitMs: 500,
  });
  const store = new FoldedPaymentStreams(ownership);
  await store.load(log);
  const options = resolveRefundsOptions({ siwxDomain: '127.0.0.1', producer: `writer-${env.ADVERTISED_NAME}` });
  const bus = new PaymentCommandBus(log, store, new InProcessPaymentLocks(), new SystemClock(), options);

  const server = createServer((req, res) => {
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'GET' && req.url === '/owned') {
      reply(200, { partitions: ownership.ownedPartitions() });
      return;
    }
    if (req.method !== 'POST' || req.url !== '/refund') {
      reply(404, {});
      return;
    }
    void (async () => {
      const input = await body(req);
      const refundId = deriveRefundId({ paymentId: input.paymentId, idempotencyKey: input.idempotencyKey });
      try {
        const appended = await bus.withPayment(input.paymentId, (s) =>
          s.record(
            [
              {
                type: 'RequestRefund',
                data: {
                  refundId,
                  paymentId: input.paymentId,
                  amount: input.amount,
                  reason: 'ownership test',
                  requestedBy: 'provider',
                  idempotencyKey: input.idempotencyKey,
                },
              },
            ],
            { correlationId: `refund:${refundId}` },
          ),
        );
        reply(200, { refundId, events: appended.map((e) => e.type) });
      } catch (error) {
        if (error instanceof RefundsException) {
          reply(error.retryable ? 503 : 409, { code: error.code, retryable: error.retryable, details: error.details });
        } else if (error instanceof LedgerException) {
          reply(409, { code: error.code, retryable: false });
        } else {
          reply(500, { message: (error as Error).message });
        }
      }
    })();
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  const stop = () => {
    server.close();
    void log.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`writer failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
