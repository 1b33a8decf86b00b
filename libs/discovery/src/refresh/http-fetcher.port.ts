/** One outbound request of the refresher: never follows redirects, never sends a body. */
export interface FetchRequest {
  url: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
}

export interface FetchResult {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The body (UTF-8), at most the fetcher's byte limit. */
  body: string;
}

/**
 * Outbound HTTP as a port. Implementations bound every request (timeout, body size, concurrency, per-host rate, no
 * redirects, address policy) and reject with DiscoveryException(FETCH_FAILED) when a request fails or is refused.
 */
export abstract class HttpFetcher {
  abstract fetch(request: FetchRequest): Promise<FetchResult>;
}
