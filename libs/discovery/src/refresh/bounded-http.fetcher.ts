import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';
import { isPrivateAddress } from './address-policy.util';
import { HttpFetcher, type FetchRequest, type FetchResult } from './http-fetcher.port';

export interface BoundedFetcherOptions {
  mode: 'dev' | 'production';
  timeoutMs: number;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  concurrency: number;
  perHostPerSecond: number;
}

const fail = (message: string, cause?: unknown) =>
  new DiscoveryException(DiscoveryErrorCode.FETCH_FAILED, message, { cause });

/**
 * HttpFetcher over node:http(s): no redirects (a 3xx is returned as is), a total timeout, a body cap (the request
 * is destroyed past it), a global concurrency limit and a per-host minimum spacing. In production mode every address
 * the host resolves to is checked at connect time (the check runs inside the socket's DNS lookup, so a rebinding
 * answer cannot slip in between check and connect): loopback, private, link-local and reserved targets are refused.
 * Dev mode allows loopback so tests can run against local servers.
 */
export class BoundedHttpFetcher extends HttpFetcher {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly options: BoundedFetcherOptions) {
    super();
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      throw fail(`not a URL: ${request.url.slice(0, 200)}`, error);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`refused scheme ${url.protocol}`);
    if (url.username || url.password) throw fail('refused URL with credentials');
    // IP literals never reach the lookup hook, so they are checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (this.options.mode === 'production' && isIP(literal) !== 0 && isPrivateAddress(literal))
      throw fail(`refused private address ${literal}`);
    await this.acquire();
    try {
      await this.spaceOut(url.host);
      return await this.send(url, request.method);
    } finally {
      this.release();
    }
  }

  private send(url: URL, method: string): Promise<FetchResult> {
    const { timeoutMs, maxBodyBytes, maxHeaderBytes } = this.options;
    return new Promise<FetchResult>((resolve, reject) => {
      let settled = false;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method,
        headers: { accept: 'application/json', 'user-agent': 'x402-ledger-discovery/0.1' },
        lookup: this.lookup(),
        maxHeaderSize: maxHeaderBytes,
      });
      // The first outcome wins; the request is torn down on any failure.
      const finish = (outcome: FetchResult | DiscoveryException) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof DiscoveryException) {
          req.destroy();
          reject(outcome);
        } else resolve(outcome);
      };
      const failWith = (what: string) => (error: Error) =>
        finish(error instanceof DiscoveryException ? error : fail(`${what}: ${error.message}`, error));
      const timer = setTimeout(() => finish(fail(`timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', failWith('request failed'));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) finish(fail(`response body larger than ${maxBodyBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', failWith('response failed'));
        res.on('aborted', () => finish(fail('response aborted')));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          finish({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end();
    });
  }

  /** DNS lookup that refuses private targets in production mode (checked on the addresses actually connected to). */
  private lookup(): LookupFunction {
    const production = this.options.mode === 'production';
    return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        const refused = production ? addresses.find((a) => isPrivateAddress(a.address)) : undefined;
        if (refused) return callback(fail(`refused private address ${refused.address} for ${hostname}`));
        if ((options as { all?: boolean }).all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    }) as LookupFunction;
  }

  private async acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** Waits until the host's next slot (1 / perHostPerSecond apart). */
  private async spaceOut(host: string): Promise<void> {
    const gap = 1000 / this.options.perHostPerSecond;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, slot + gap);
    if (this.nextSlot.size > 10_000) this.nextSlot.clear();
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }
}
