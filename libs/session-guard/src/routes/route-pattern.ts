import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';

/**
 * A route as "METHOD /path/template" — the official x402 route syntax (`:param`, `[param]`, `*`, trailing `/*` also
 * matching the bare prefix). A session's scope is a list of these keys, so a token names method AND route.
 */
export interface RoutePattern {
  /** Normalized key, e.g. `GET /weather/:city` (method upper-cased, `*` for any method). */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly regex: RegExp;
}

const METHOD = /^(\*|[A-Z]{1,16})$/;
/** Already normalized: segments without `%`, `\\`, query or fragment, no empty segment, no trailing slash. */
const SIMPLE_PATH = /^(?:\/[^/%\\?#]+)+$/;

/** Parses and compiles `"GET /weather/:city"` (a bare path means any method, as in the official SDK). */
export function parseRoutePattern(key: string): RoutePattern {
  const trimmed = key.trim();
  const [rawMethod, rawPath] = trimmed.includes(' ') ? trimmed.split(/\s+/, 2) : ['*', trimmed];
  const method = rawMethod.toUpperCase();
  const path = rawPath;
  if (!METHOD.test(method) || !path.startsWith('/') || path.length > 1000 || /\s/.test(path)) {
    throw new SessionGuardException(
      SessionGuardErrorCode.INVALID_CONFIG,
      `route "${key}" must be "METHOD /path" (method A-Z or *, path starting with /)`,
    );
  }
  const trailingWildcard = path.endsWith('/*');
  const body = (trailingWildcard ? path.slice(0, -2) : path)
    .replace(/\\/g, '\\\\')
    .replace(/[$()+.?^{|}]/g, '\\$&')
    .replace(/\*/g, '.*?')
    .replace(/\[([^\]]+)\]/g, '[^/]+')
    .replace(/:([a-zA-Z_][a-zA-Z0-9_]*)/g, '[^/]+')
    .replace(/\//g, '\\/');
  const regex = new RegExp(`^${body}${trailingWildcard ? '(?:/.*?)?' : ''}$`, 'is');
  return { key: `${method} ${path}`, method, path, regex };
}

/** Normalizes a request path the way the official resource server does before matching (query cut, `//` folded). */
export function normalizeRequestPath(path: string): string {
  if (SIMPLE_PATH.test(path)) return path;
  const withoutQuery = path.split(/[?#]/)[0];
  const normalized = withoutQuery
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replace(/\//g, '%2F').replace(/\\/g, '%5C');
      } catch {
        return segment;
      }
    })
    .join('/');
  return normalized.replace(/\/+/g, '/').replace(/(.+?)\/+$/, '$1') || '/';
}

/** True when `pattern` covers a request (method + already-normalized path). */
export function routeMatches(pattern: RoutePattern, method: string, normalizedPath: string): boolean {
  return (pattern.method === '*' || pattern.method === method) && pattern.regex.test(normalizedPath);
}

/** An ordered set of route patterns with a value each; the first match wins (as in the official SDK). */
export class RouteTable<T> {
  private readonly entries: { pattern: RoutePattern; value: T }[];

  constructor(routes: Iterable<readonly [string, T]>) {
    this.entries = [...routes].map(([key, value]) => ({ pattern: parseRoutePattern(key), value }));
  }

  get size(): number {
    return this.entries.length;
  }

  match(method: string, path: string): { pattern: RoutePattern; value: T } | undefined {
    const upper = method.toUpperCase();
    const normalized = normalizeRequestPath(path);
    for (const entry of this.entries) {
      if (routeMatches(entry.pattern, upper, normalized)) return entry;
    }
    return undefined;
  }

  keys(): string[] {
    return this.entries.map((e) => e.pattern.key);
  }
}
