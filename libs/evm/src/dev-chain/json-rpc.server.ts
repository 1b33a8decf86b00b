import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Eip1193Provider } from './eip1193-provider';
import { DevChainErrorCode, DevChainException } from './dev-chain.exception';
import { asRevertWithoutCode, EXECUTION_REVERTED_CODE } from './revert-reason.provider';

export interface JsonRpcServerOptions {
  /** Loopback only: 127.0.0.1 (the default) or ::1. */
  host?: '127.0.0.1' | '::1';
  /** 0 = any free port. */
  port: number;
  /** Largest accepted request body; larger ones get HTTP 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /** Most requests in one batch. Default 1000. */
  maxBatchSize?: number;
}

export interface JsonRpcServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, drops idle keep-alive connections and resolves once the port is released. */
  close(): Promise<void>;
}

type JsonRpcId = string | number | null;

interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: JsonRpcErrorBody;
}

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_BATCH_SIZE = 1000;

/**
 * Serves an EIP-1193 provider as JSON-RPC 2.0 over HTTP POST (single requests and batches; notifications get no
 * response). Batch members run in order, one after another, so a batch like [send, getReceipt] behaves as if sent
 * one by one. Errors keep the provider's `code`/`message`/`data`; a revert that carries `data` but no code (Hardhat's
 * SolidityError) is answered as a node would, `{code: 3, message, data}`; any other error without a numeric code
 * becomes -32603.
 */
export async function serveJsonRpc(provider: Eip1193Provider, options: JsonRpcServerOptions): Promise<JsonRpcServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Only reachable when writing the response itself fails (client gone); nothing left to answer.
      res.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('JSON-RPC: use POST\n');
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === null) {
      reply(res, 413, errorResponse(null, INVALID_REQUEST, `request body exceeds ${maxBodyBytes} bytes`));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      reply(res, 200, errorResponse(null, PARSE_ERROR, 'Parse error'));
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        reply(res, 200, errorResponse(null, INVALID_REQUEST, 'Invalid Request: empty batch'));
        return;
      }
      if (parsed.length > maxBatchSize) {
        reply(res, 200, errorResponse(null, INVALID_REQUEST, `Invalid Request: batch exceeds ${maxBatchSize}`));
        return;
      }
      const responses: JsonRpcResponse[] = [];
      for (const item of parsed) {
        const response = await call(item);
        if (response !== undefined) responses.push(response);
      }
      if (responses.length === 0) res.writeHead(204).end();
      else reply(res, 200, responses);
      return;
    }
    const response = await call(parsed);
    if (response === undefined) res.writeHead(204).end();
    else reply(res, 200, response);
  }

  /** One request object → its response, or undefined for a notification (no `id` member). */
  async function call(request: unknown): Promise<JsonRpcResponse | undefined> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return errorResponse(null, INVALID_REQUEST, 'Invalid Request');
    }
    const r = request as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const isNotification = !('id' in r);
    const id = validId(r.id) ? r.id : null;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || (!isNotification && !validId(r.id))) {
      return errorResponse(id, INVALID_REQUEST, 'Invalid Request');
    }
    try {
      const result = await provider.request({ method: r.method, params: r.params ?? [] });
      return isNotification ? undefined : { jsonrpc: '2.0', id, result: result ?? null };
    } catch (e) {
      return isNotification ? undefined : { jsonrpc: '2.0', id, error: toErrorBody(e) };
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new DevChainException(DevChainErrorCode.RPC_PORT_IN_USE, `dev chain RPC port ${options.port} is in use`, {
              cause: e,
            })
          : e,
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function validId(id: unknown): id is JsonRpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function errorResponse(id: JsonRpcId, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function toErrorBody(e: unknown): JsonRpcErrorBody {
  const revert = asRevertWithoutCode(e);
  if (revert) return { code: EXECUTION_REVERTED_CODE, message: revert.message, data: revert.data };
  const err = (e ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  const code = typeof err.code === 'number' && Number.isInteger(err.code) ? err.code : INTERNAL_ERROR;
  const message = typeof err.message === 'string' ? err.message : String(e);
  return err.data === undefined ? { code, message } : { code, message, data: err.data };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'bigint' ? `0x${value.toString(16)}` : value,
  );
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** The body as UTF-8, or null when it exceeds the limit (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
