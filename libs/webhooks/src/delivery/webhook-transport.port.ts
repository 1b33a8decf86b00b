/** HTTP out as a port: the dispatcher's only side effect toward receivers. */
export abstract class WebhookTransport {
  /** POSTs the body; resolves with the response status, rejects when no response came (refused, timeout, TLS). */
  abstract post(request: {
    url: string;
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
  }): Promise<{ status: number }>;
}

/** WebhookTransport over Node's fetch: no redirects followed, the response body is not read. */
export class FetchWebhookTransport extends WebhookTransport {
  async post(request: {
    url: string;
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
  }): Promise<{ status: number }> {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
}
