/** The EIP-1193 surface the dev chain hands out: enough for viem's `custom()` transport and for the HTTP server. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}
