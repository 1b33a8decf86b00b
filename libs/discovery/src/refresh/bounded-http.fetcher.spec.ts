import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscoveryErrorCode } from '../discovery.exception';
import { BoundedHttpFetcher, type BoundedFetcherOptions } from './bounded-http.fetcher';

describe('BoundedHttpFetcher', () => {
  let server: Server;
  let base: string;
  let inFlight = 0;
  let maxInFlight = 0;
  const hits: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(Date.now());
      const counted = req.url === '/wait';
      if (counted) inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => {
        if (counted) inFlight--;
      };
      if (req.url === '/402') {
        res.writeHead(402, { 'payment-required': 'abc' });
        res.end('{}');
        done();
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' });
        res.end();
        done();
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(10_000));
        done();
      } else if (req.url === '/slow') {
        setTimeout(() => {
          res.end('late');
          done();
        }, 500);
      } else if (req.url === '/wait') {
        setTimeout(() => {
          res.end('ok');
          done();
        }, 50);
      } else {
        res.writeHead(404);
        res.end();
        done();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const make = (overrides: Partial<BoundedFetcherOptions> = {}) =>
    new BoundedHttpFetcher({
      mode: 'dev',
      timeoutMs: 2000,
      maxBodyBytes: 1024,
      maxHeaderBytes: 16 * 1024,
      concurrency: 4,
      perHostPerSecond: 1000,
      ...overrides,
    });

  it('returns status, lower-cased headers and body; never follows redirects', async () => {
    const sut = make();
    expect(await sut.fetch({ url: `${base}/402`, method: 'GET' })).toMatchObject({
      status: 402,
      headers: { 'payment-required': 'abc' },
      body: '{}',
    });
    expect(await sut.fetch({ url: `${base}/redirect`, method: 'GET' })).toMatchObject({
      status: 302,
      headers: { location: 'http://169.254.169.254/' },
    });
  });

  it('refuses bodies over the limit and answers over the timeout', async () => {
    const sut = make({ timeoutMs: 100 });
    await expect(sut.fetch({ url: `${base}/big`, method: 'GET' })).rejects.toMatchObject({
      code: DiscoveryErrorCode.FETCH_FAILED,
      message: 'response body larger than 1024 bytes',
    });
    await expect(sut.fetch({ url: `${base}/slow`, method: 'GET' })).rejects.toMatchObject({
      code: DiscoveryErrorCode.FETCH_FAILED,
      message: 'timed out after 100 ms',
    });
  });

  it('production mode refuses loopback and private targets (literal and resolved); dev mode allows loopback', async () => {
    const sut = make({ mode: 'production' });
    await expect(sut.fetch({ url: `${base}/402`, method: 'GET' })).rejects.toMatchObject({
      message: 'refused private address 127.0.0.1',
    });
    const port = (server.address() as AddressInfo).port;
    await expect(sut.fetch({ url: `http://localhost:${port}/402`, method: 'GET' })).rejects.toMatchObject({
      code: DiscoveryErrorCode.FETCH_FAILED,
      message: expect.stringMatching(/refused private address (127\.0\.0\.1|::1) for localhost/),
    });
    await expect(sut.fetch({ url: 'http://[::1]:9/', method: 'GET' })).rejects.toMatchObject({
      message: 'refused private address ::1',
    });
    await expect(sut.fetch({ url: 'file:///etc/passwd', method: 'GET' })).rejects.toMatchObject({
      message: 'refused scheme file:',
    });
    expect((await make().fetch({ url: `${base}/402`, method: 'GET' })).status).toBe(402);
  });

  it('bounds concurrency and spaces requests to one host', async () => {
    maxInFlight = 0;
    const sut = make({ concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => sut.fetch({ url: `${base}/wait`, method: 'GET' })));
    expect(maxInFlight).toBe(2);

    hits.length = 0;
    const spaced = make({ perHostPerSecond: 20 });
    await Promise.all(Array.from({ length: 4 }, () => spaced.fetch({ url: `${base}/404`, method: 'GET' })));
    expect(hits[3] - hits[0]).toBeGreaterThanOrEqual(140);
  });
});
