import type { AnalyticsReads } from '@x402-ledger/analytics';
import type { ReadScope } from './read-scope';
import { decodeCursor, encodeCursor, isoOrNull, pageOf, type Page } from './sql.util';

export interface DiscoveryRecord {
  resourceUrl: string;
  tenant: string;
  type: string;
  /** JSON text of the resource's `accepts` (payment requirements). */
  accepts: string;
  /** JSON text of the resource's metadata. */
  metadata: string;
  lastUpdated: string | null;
  updatedAt: string | null;
}

/**
 * Discovery (bazaar) resources: the latest `discovery.resource_updated` per resource, read from the raw event table
 * (the analytics schema has no discovery table). A tenant-scoped provider sees its tenant's resources; a wallet-proven
 * provider those whose payment requirements name its payTo; admins and payers the whole catalog, which the x402
 * discovery protocol publishes anyway.
 */
export class DiscoveryReader {
  constructor(private readonly client: AnalyticsReads) {}

  async list(
    scope: ReadScope,
    filter: { type?: string; tenant?: string },
    first: number,
    after?: string,
  ): Promise<Page<DiscoveryRecord>> {
    const params: Record<string, unknown> = { limit: first + 1 };
    const where = ["type = 'discovery.resource_updated'"];
    if (scope.tenant !== null) {
      params.s_tenant = scope.tenant;
      where.push('tenant = {s_tenant:String}');
    } else if (scope.payTo !== null) {
      params.s_payTo = scope.payTo;
      where.push('arrayExists(a -> position(lower(data), a) > 0, {s_payTo:Array(String)})');
    }
    if (filter.tenant) {
      params.f_tenant = filter.tenant;
      where.push('tenant = {f_tenant:String}');
    }
    const outer: string[] = [];
    if (filter.type) {
      params.f_type = filter.type;
      outer.push('rtype = {f_type:String}');
    }
    if (after) {
      const [url] = decodeCursor(after, 'd', 1);
      params.cUrl = url;
      outer.push('url > {cUrl:String}');
    }
    const rows = await this.client.query<{
      url: string;
      tenant: string;
      rtype: string;
      accepts: string;
      metadata: string;
      last: string;
      updated: string;
    }>(
      `SELECT * FROM (
         SELECT JSONExtractString(d, 'resourceUrl') AS url, t AS tenant, JSONExtractString(d, 'type') AS rtype,
                JSONExtractRaw(d, 'accepts') AS accepts, JSONExtractRaw(d, 'metadata') AS metadata,
                JSONExtractString(d, 'lastUpdated') AS last, toString(at) AS updated
         FROM (SELECT stream_id, argMax(data, (occurred_at, sequence)) AS d, argMax(tenant, (occurred_at, sequence)) AS t,
                      max(occurred_at) AS at
               FROM events_raw WHERE ${where.join(' AND ')} GROUP BY stream_id))
       ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
       ORDER BY url LIMIT {limit:UInt32}`,
      params,
    );
    const page = pageOf(rows, first, (r) => encodeCursor('d', [r.url]));
    return {
      ...page,
      items: page.items.map((r) => ({
        resourceUrl: r.url,
        tenant: r.tenant,
        type: r.rtype,
        accepts: r.accepts || '[]',
        metadata: r.metadata || '{}',
        lastUpdated: r.last === '' ? null : r.last,
        updatedAt: isoOrNull(r.updated),
      })),
    };
  }
}
