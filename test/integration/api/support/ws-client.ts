import { createClient, type Client } from 'graphql-ws';

// `ws` ships no types and @types/ws is not a dependency; graphql-ws only needs a WebSocket constructor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws') as unknown;

export interface Subscriber<T> {
  received: T[];
  errors: unknown[];
  /** The close code when the server closed the socket (e.g. 4403 Forbidden), else null. */
  closeCode(): number | null;
  /** Resolves when `n` events arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

/** A graphql-ws client (the `graphql-transport-ws` protocol) subscribed to one operation. */
export async function subscribe<T>(
  httpUrl: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Subscriber<T>> {
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
  });
  const received: T[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  let acknowledged!: () => void;
  let closeCode: number | null = null;
  const ready = new Promise<void>((resolve) => (acknowledged = resolve));
  client.on('connected', () => acknowledged());
  client.on('closed', (event) => {
    closeCode = (event as { code?: number }).code ?? null;
    acknowledged();
  });
  client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.data) received.push(value.data as T);
        if (value.errors) errors.push(...value.errors);
        for (const w of waiters.splice(0)) w();
      },
      error: (error) => {
        errors.push((error as { code?: number }).code ?? String(error));
        for (const w of waiters.splice(0)) w();
      },
      complete: () => undefined,
    },
  );
  await ready;
  // The server registers the subscription when it handles the subscribe message; give it one round trip.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    received,
    errors,
    closeCode: () => closeCode,
    waitFor: (n, timeoutMs = 5000) =>
      new Promise<T[]>((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`timed out waiting for ${n} events (got ${received.length})`)),
          timeoutMs,
        );
        const check = () => {
          if (received.length >= n) {
            clearTimeout(deadline);
            resolve(received);
          } else if (errors.length > 0) {
            clearTimeout(deadline);
            reject(new Error(`subscription failed: ${JSON.stringify(errors)}`));
          } else waiters.push(check);
        };
        check();
      }),
    close: async () => {
      await client.dispose();
    },
  };
}
