import { isIP } from 'node:net';

/**
 * Null when `url` may be a webhook endpoint: http(s), no credentials, ≤ 2048 characters, and unless allowed, not a
 * literal loopback/private/link-local address or `localhost` (a host NAME that resolves to a private address is not
 * caught here: put an egress proxy in front in production).
 */
export function webhookUrlProblem(url: string, allowPrivate: boolean): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return 'url must be 1..2048 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'url must be http(s)';
  if (parsed.username || parsed.password) return 'url must not carry credentials';
  if (!allowPrivate && isPrivateHost(parsed.hostname)) return 'url points to a private or loopback address';
  return null;
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (kind === 6) {
    return (
      host === '::1' ||
      host === '::' ||
      host.startsWith('fc') ||
      host.startsWith('fd') ||
      host.startsWith('fe80') ||
      host.startsWith('::ffff:')
    );
  }
  return false;
}
