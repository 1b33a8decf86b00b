import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the framework adapter (Express middleware, Nest guard) lends the x402 extension hooks for the duration of one
 * request: a way to add a response header. Hooks run inside the official middleware's async chain, so the store is
 * visible to them.
 */
export interface SessionRequestScope {
  setHeader(name: string, value: string): void;
}

export const sessionRequestScope = new AsyncLocalStorage<SessionRequestScope>();
