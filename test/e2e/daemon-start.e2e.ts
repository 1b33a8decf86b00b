import { createPublicClient, http, erc20Abi } from 'viem';
import { startDaemon } from './support/daemon-process';

describe('npm start: the daemon on embedded defaults', () => {
  it('serves /health, /dev and /metrics offline, then exits cleanly on SIGTERM within 10 s', async () => {
    const sut = await startDaemon({ env: { LOG_LEVEL: 'info' } });
    try {
      const live = await fetch(`${sut.baseUrl}/health/live`);
      expect(live.status).toBe(200);
      const ready = (await (await fetch(`${sut.baseUrl}/health/ready`)).json()) as { status: string; info: object };
      expect(ready.status).toBe('ok');
      expect(Object.keys(ready.info)).toEqual(expect.arrayContaining(['chain', 'eventLog', 'clickhouse']));

      expect(sut.dev).toMatchObject({
        network: 'eip155:31337',
        chainId: 31337,
        asset: { name: 'USD Coin', version: '2', decimals: 6, symbol: 'USDC' },
        facilitatorUrl: sut.baseUrl,
        graphqlUrl: `${sut.baseUrl}/graphql`,
      });
      expect(sut.dev.adminApiKey).toMatch(/^x402_admin_/);
      expect(sut.dev.buyers.length).toBeGreaterThanOrEqual(3);
      expect(sut.dev.providers.length).toBeGreaterThanOrEqual(1);
      expect(sut.output()).toContain(sut.dev.asset.address);

      // The dev chain answers on its loopback RPC URL, so outside tools can use it: the buyers really hold USDC.
      const client = createPublicClient({ transport: http(sut.dev.rpcUrl) });
      expect(await client.getChainId()).toBe(31337);
      const balance = await client.readContract({
        address: sut.dev.asset.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [sut.dev.buyers[0]!.address],
      });
      expect(balance).toBeGreaterThan(0n);

      const metrics = await (await fetch(`${sut.baseUrl}/metrics`)).text();
      expect(metrics).toContain('x402_http_request_duration_seconds');

      const req = await fetch(`${sut.baseUrl}/health/live`, { headers: { 'x-request-id': 'e2e-req-1' } });
      expect(req.headers.get('x-request-id')).toBe('e2e-req-1');
    } finally {
      const exit = await sut.stop('SIGTERM');
      expect(exit).toMatchObject({ code: 0 });
      expect(exit.ms).toBeLessThan(10_000);
    }
    expect(sut.output()).toContain('shutdown complete');
  });

  it('refuses to start with a bad configuration and lists every problem', async () => {
    await expect(startDaemon({ env: { PORT: 'x', EVENT_LOG_URL: 'redis://nope' }, timeoutMs: 20_000 })).rejects.toThrow(
      /PORT[\s\S]*EVENT_LOG_URL/,
    );
  });
});
