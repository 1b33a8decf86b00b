const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * An RE2 pattern matching the paid URLs (query and fragment already cut) of a catalog entry: the exact URL, or for a
 * route template such as `/users/:id` any single path segment in place of each `:param`.
 */
export function resourcePattern(resourceUrl: string, routeTemplate?: string): string {
  if (!routeTemplate || !resourceUrl.endsWith(routeTemplate)) return `^${escapeRegex(resourceUrl)}$`;
  const origin = resourceUrl.slice(0, resourceUrl.length - routeTemplate.length);
  const path = routeTemplate
    .split('/')
    .map((segment) => (/^:[A-Za-z0-9_]+$/.test(segment) ? '[^/]+' : escapeRegex(segment)))
    .join('/');
  return `^${escapeRegex(origin)}${path}$`;
}

/** The origin (scheme://host[:port]) of a catalog key, used to pre-filter rows before matching patterns. */
export function originOf(resourceUrl: string): string {
  return new URL(resourceUrl).origin;
}
