import { normalizeRequestPath, parseRoutePattern, routeMatches, type RoutePattern } from '../routes/route-pattern';
import { peekSessionClaims, type SessionTokenClaims } from '../token/session-token.claims';

interface StoredToken {
  token: string;
  claims: SessionTokenClaims;
  routes: RoutePattern[];
}

/**
 * The client's session tokens, by resource-server origin (the token audience). A token is offered for a request when
 * its scope covers the request's method and path and it has not expired. The client reads claims without verifying
 * them (it only chooses what to send; the server validates).
 */
export class SessionTokenStore {
  private readonly byOrigin = new Map<string, StoredToken[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Stores a token (replacing an older token of the same session). Ignores anything unreadable. */
  add(token: string): boolean {
    const claims = peekSessionClaims(token);
    if (!claims) return false;
    let origin: string;
    try {
      origin = new URL(claims.aud).origin;
    } catch {
      return false;
    }
    const routes: RoutePattern[] = [];
    for (const key of claims.scp) {
      try {
        routes.push(parseRoutePattern(key));
      } catch {
        // a scope entry this client cannot parse: skip it
      }
    }
    const list = (this.byOrigin.get(origin) ?? []).filter((t) => t.claims.sid !== claims.sid && t.token !== token);
    list.push({ token, claims, routes });
    this.byOrigin.set(origin, list);
    return true;
  }

  /** The newest unexpired token whose scope covers `method url`. */
  find(url: URL, method: string): string | undefined {
    const list = this.byOrigin.get(url.origin);
    if (!list) return undefined;
    const path = normalizeRequestPath(url.pathname);
    const upper = method.toUpperCase();
    const nowSeconds = this.now() / 1000;
    for (let i = list.length - 1; i >= 0; i--) {
      const t = list[i];
      if (t.claims.exp <= nowSeconds) {
        list.splice(i, 1);
        continue;
      }
      if (t.routes.some((r) => routeMatches(r, upper, path))) return t.token;
    }
    return undefined;
  }

  /** Forgets a token the server refused. */
  remove(token: string): void {
    for (const [origin, list] of this.byOrigin) {
      const kept = list.filter((t) => t.token !== token);
      if (kept.length === 0) this.byOrigin.delete(origin);
      else this.byOrigin.set(origin, kept);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.byOrigin.values()) n += list.length;
    return n;
  }
}
