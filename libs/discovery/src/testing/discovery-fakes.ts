import { declareDiscoveryExtension } from '@x402/extensions/bazaar';
import { encodePaymentRequiredHeader } from '@x402/core/http';
import { EventLog, type BatchHandler, type LogPosition, type Subscription } from '@x402-ledger/event-log';
import { Clock, type EventEnvelope } from '@x402-ledger/ledger';
import { parseDiscoveryOptions, type DiscoveryOptions, type DiscoveryOptionsInput } from '../discovery.options';
import { HttpFetcher, type FetchRequest, type FetchResult } from '../refresh/http-fetcher.port';

/** An EventLog in memory (one partition); enough for the catalog's append and replay. */
export class FakeEventLog extends EventLog {
  readonly records: EventEnvelope[] = [];
  failAppends = false;

  async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    if (this.failAppends) throw new Error('log down');
    return envelopes.map((e) => {
      const known = this.records.findIndex((r) => r.id === e.id);
      if (known >= 0) return { partition: 0, offset: String(known) };
      return { partition: 0, offset: String(this.records.push(e) - 1) };
    });
  }
  async subscribe(): Promise<Subscription> {
    throw new Error('not used');
  }
  async replay(handler: BatchHandler, from?: LogPosition[]): Promise<void> {
    const start = Number(from?.find((p) => p.partition === 0)?.offset ?? 0);
    const batch = this.records.slice(start).map((envelope, i) => ({
      envelope,
      position: { partition: 0, offset: String(start + i) },
    }));
    if (batch.length > 0) await handler(batch);
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

export class FakeClock extends Clock {
  constructor(private current = new Date('2026-06-01T12:00:00.000Z')) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Answers by URL from a table the test edits; records every request. */
export class FakeFetcher extends HttpFetcher {
  readonly requests: FetchRequest[] = [];
  readonly answers = new Map<string, FetchResult | Error>();

  async fetch(request: FetchRequest): Promise<FetchResult> {
    this.requests.push(request);
    const answer = this.answers.get(request.url);
    if (!answer) return { status: 404, headers: {}, body: '' };
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

export const PAY_TO = '0x1111111111111111111111111111111111111111';
export const ASSET = '0x2222222222222222222222222222222222222222';

export function requirement(amount: string, payTo = PAY_TO) {
  return {
    scheme: 'exact',
    network: 'eip155:8453',
    amount,
    asset: ASSET,
    payTo,
    maxTimeoutSeconds: 60,
    extra: { name: 'USDC', version: '2' },
  };
}

export function weatherBazaar(): Record<string, unknown> {
  const ext = declareDiscoveryExtension({
    input: { city: 'Paris' },
    inputSchema: { properties: { city: { type: 'string' } } },
    output: { example: { temperature: 21 } },
  }).bazaar as unknown as { info: { input: Record<string, unknown> } };
  return { ...ext, info: { ...ext.info, input: { ...ext.info.input, method: 'GET' } } };
}

/** A 402 answer with PAYMENT-REQUIRED as @x402/express sends it. */
export function paymentRequired(url: string, amounts: string[], extensions?: Record<string, unknown>): FetchResult {
  const header = encodePaymentRequiredHeader({
    x402Version: 2,
    error: 'Payment required',
    resource: { url, description: 'Weather by city', mimeType: 'application/json' },
    accepts: amounts.map((a) => requirement(a)),
    ...(extensions ? { extensions } : {}),
  } as never);
  return { status: 402, headers: { 'payment-required': header }, body: '{}' };
}

export function options(input: Partial<DiscoveryOptionsInput> = {}): DiscoveryOptions {
  return parseDiscoveryOptions({ mode: 'dev', refresh: { intervalMs: 60_000 }, ...input });
}
