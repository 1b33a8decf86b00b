import { createServer } from 'node:net';
import { DevChainErrorCode } from './dev-chain.exception';
import type { Eip1193Provider } from './eip1193-provider';
import { serveJsonRpc, type JsonRpcServer } from './json-rpc.server';

/** A fake provider: echoes, counts calls in order, and fails in the ways Hardhat's provider does. */
function fakeProvider(calls: string[]): Eip1193Provider {
  return {
    async request({ method, params }) {
      calls.push(method);
      switch (method) {
        case 'echo':
          return params;
        case 'nothing':
          return undefined;
        case 'revert':
          throw Object.assign(new Error("reverted with reason string 'nope'"), { data: '0x08c379a0' });
        case 'coded':
          throw Object.assign(new Error('nonce too low'), { code: -32000 });
        default:
          throw new Error(`no ${method}`);
      }
    },
  };
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
};

describe('serveJsonRpc', () => {
  let sut: JsonRpcServer;
  let calls: string[];

  beforeEach(async () => {
    calls = [];
    sut = await serveJsonRpc(fakeProvider(calls), { port: 0, maxBodyBytes: 1024, maxBatchSize: 3 });
  });
  afterEach(async () => {
    await sut.close();
  });

  it('listens on loopback and answers a single request', async () => {
    expect(sut.url).toBe(`http://127.0.0.1:${sut.port}`);
    expect(await post(sut.url, { jsonrpc: '2.0', id: 7, method: 'echo', params: [1, 'a'] })).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 7, result: [1, 'a'] },
    });
    expect((await post(sut.url, { jsonrpc: '2.0', id: 8, method: 'nothing' })).body).toEqual({
      jsonrpc: '2.0',
      id: 8,
      result: null,
    });
  });

  it('maps errors: a revert without code becomes code 3 with data; coded errors keep their code; others -32603', async () => {
    const batch = await post(sut.url, [
      { jsonrpc: '2.0', id: 1, method: 'revert' },
      { jsonrpc: '2.0', id: 2, method: 'coded' },
      { jsonrpc: '2.0', id: 3, method: 'unknown' },
    ]);
    expect(batch.body).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: 3, message: "reverted with reason string 'nope'", data: '0x08c379a0' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32000, message: 'nonce too low' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'no unknown' } },
    ]);
  });

  it('runs a batch in order, skips notifications, and answers 204 when only notifications came', async () => {
    const res = await post(sut.url, [
      { jsonrpc: '2.0', id: 'a', method: 'echo', params: ['first'] },
      { jsonrpc: '2.0', method: 'echo', params: ['notification'] },
      { jsonrpc: '2.0', id: 'b', method: 'echo', params: ['second'] },
    ]);
    expect(res.body).toEqual([
      { jsonrpc: '2.0', id: 'a', result: ['first'] },
      { jsonrpc: '2.0', id: 'b', result: ['second'] },
    ]);
    expect(calls).toEqual(['echo', 'echo', 'echo']);
    expect(await post(sut.url, { jsonrpc: '2.0', method: 'echo' })).toEqual({ status: 204, body: undefined });
  });

  it('rejects malformed input per JSON-RPC 2.0', async () => {
    expect((await post(sut.url, '{not json')).body).toMatchObject({ id: null, error: { code: -32700 } });
    expect((await post(sut.url, [])).body).toMatchObject({ id: null, error: { code: -32600 } });
    expect((await post(sut.url, [1, 2, 3, 4])).body).toMatchObject({ id: null, error: { code: -32600 } });
    expect((await post(sut.url, { id: 1, method: 'echo' })).body).toMatchObject({ id: 1, error: { code: -32600 } });
    expect((await post(sut.url, [5])).body).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
    ]);
    expect(calls).toEqual([]);
  });

  it('enforces the body limit with 413 and only accepts POST', async () => {
    const big = await post(sut.url, { jsonrpc: '2.0', id: 1, method: 'echo', params: ['x'.repeat(2000)] });
    expect(big.status).toBe(413);
    expect(calls).toEqual([]);
    expect((await fetch(sut.url)).status).toBe(405);
  });

  it('frees the port on close (idempotent) and reports a busy port with RPC_PORT_IN_USE', async () => {
    const port = sut.port;
    await sut.close();
    await sut.close();
    const blocker = createServer();
    await new Promise<void>((resolve, reject) => blocker.once('error', reject).listen(port, '127.0.0.1', resolve));
    try {
      await expect(serveJsonRpc(fakeProvider([]), { port })).rejects.toMatchObject({
        code: DevChainErrorCode.RPC_PORT_IN_USE,
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    sut = await serveJsonRpc(fakeProvider(calls), { port: 0 }); // for afterEach
  });
});
