import { sanitizeResourceServiceMetadata } from '@x402/extensions/bazaar';
import type { AcceptedPayment } from '../catalog/catalog-entry';
import type { ListingMetadata } from '../catalog/catalog.service';
import type { BazaarMetadataValidator, ValidBazaarExtension } from './bazaar-metadata.validator';

export const BAZAAR_KEY = 'bazaar';
const MAX_DESCRIPTION = 2000;
const MAX_URL = 2048;

/** What an x402 payload or 402 answer says about a resource, ready for the catalog. */
export interface ExtractedListing {
  resourceUrl: string;
  fetchUrl: string;
  type: 'http' | 'mcp';
  x402Version: number;
  metadata: ListingMetadata;
}

export type Extraction =
  { kind: 'absent' } | { kind: 'rejected'; reason: string } | { kind: 'listing'; listing: ExtractedListing };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Builds a listing from a V2 `resource` object (`{url, description?, mimeType?, serviceName?, tags?, iconUrl?}`) and
 * its `extensions.bazaar`: the resource key is origin + route template (when the extension names a valid one) or
 * origin + path, query stripped — as the SDK's extractDiscoveryInfo does. Service name, tags and icon are sanitised
 * with the SDK's rules (invalid ones are dropped, not rejected).
 */
export function extractListing(
  resource: unknown,
  extensions: unknown,
  x402Version: number,
  validator: BazaarMetadataValidator,
): Extraction {
  if (!isObject(extensions) || extensions[BAZAAR_KEY] === undefined) return { kind: 'absent' };
  if (x402Version !== 2) return { kind: 'rejected', reason: 'bazaar extensions are catalogued for x402Version 2 only' };
  const check = validator.check(extensions[BAZAAR_KEY]);
  if (!check.ok) return { kind: 'rejected', reason: check.reason };
  if (!isObject(resource) || typeof resource['url'] !== 'string')
    return { kind: 'rejected', reason: 'payload has no resource.url' };
  const rawUrl = resource['url'];
  if (rawUrl.length > MAX_URL) return { kind: 'rejected', reason: `resource.url longer than ${MAX_URL} characters` };
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { kind: 'rejected', reason: 'resource.url is not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { kind: 'rejected', reason: 'resource.url must be http(s)' };
  if (url.username || url.password) return { kind: 'rejected', reason: 'resource.url must not carry credentials' };
  const description = resource['description'];
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION))
    return {
      kind: 'rejected',
      reason: `resource.description must be a string of at most ${MAX_DESCRIPTION} characters`,
    };
  const mimeType = resource['mimeType'];
  if (mimeType !== undefined && (typeof mimeType !== 'string' || mimeType.length > 200))
    return { kind: 'rejected', reason: 'resource.mimeType must be a string of at most 200 characters' };

  const ext = check.extension;
  const input = ext.info.input;
  const type = input['type'] === 'mcp' ? 'mcp' : 'http';
  const service = sanitizeResourceServiceMetadata(resource as never);
  const metadata: ListingMetadata = {
    description: description || undefined,
    mimeType: mimeType || undefined,
    serviceName: service.serviceName,
    tags: service.tags,
    iconUrl: service.iconUrl,
    method: type === 'http' && typeof input['method'] === 'string' ? input['method'] : undefined,
    toolName: type === 'mcp' && typeof input['toolName'] === 'string' ? input['toolName'] : undefined,
    routeTemplate: ext.routeTemplate,
    extensions: { [BAZAAR_KEY]: bazaarEcho(ext) },
  };
  return {
    kind: 'listing',
    listing: {
      resourceUrl: `${url.origin}${ext.routeTemplate ?? url.pathname}`,
      fetchUrl: `${url.origin}${url.pathname}`,
      type,
      x402Version,
      metadata,
    },
  };
}

function bazaarEcho(ext: ValidBazaarExtension): Record<string, unknown> {
  return { info: ext.info, schema: ext.schema, ...(ext.routeTemplate ? { routeTemplate: ext.routeTemplate } : {}) };
}

/** A PaymentRequirements object worth listing (scheme, network, payTo, amount, asset as strings), else null. */
export function acceptedPayment(raw: unknown): AcceptedPayment | null {
  if (!isObject(raw)) return null;
  for (const key of ['scheme', 'network', 'payTo', 'amount', 'asset'])
    if (typeof raw[key] !== 'string' || (raw[key] as string).length === 0 || (raw[key] as string).length > 200)
      return null;
  if (JSON.stringify(raw).length > 4096) return null;
  return raw as AcceptedPayment;
}
