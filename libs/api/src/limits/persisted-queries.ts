import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Persisted operations. Two modes:
 * - `apq` (default): Automatic Persisted Queries — clients may send `extensions.persistedQuery.sha256Hash` instead of
 *   the text once the server has seen it; any operation is accepted.
 * - `allow-list` (production): only operations listed in a manifest run, sent by hash or by text; APQ registration
 *   is closed, so nothing can be added at run time.
 *
 * The manifest is Apollo's persisted-query manifest (`{format:"apollo-persisted-query-manifest",version:1,
 * operations:[{id,name,type,body}]}`) or a plain `{ "<sha256>": "<query text>" }` map. Ids must be sha256(body).
 */
export interface PersistedQueryManifest {
  /** sha256 hex → operation text. */
  operations: Map<string, string>;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function parseManifest(json: unknown): PersistedQueryManifest {
  const operations = new Map<string, string>();
  const add = (id: unknown, body: unknown) => {
    if (typeof body !== 'string' || typeof id !== 'string' || sha256Hex(body) !== id.toLowerCase()) {
      throw new Error(`persisted query manifest: entry ${String(id)} is not sha256 of its body`);
    }
    operations.set(id.toLowerCase(), body);
  };
  if (json && typeof json === 'object' && Array.isArray((json as { operations?: unknown }).operations)) {
    for (const op of (json as { operations: { id: unknown; body: unknown }[] }).operations) add(op.id, op.body);
  } else if (json && typeof json === 'object') {
    for (const [id, body] of Object.entries(json)) add(id, body);
  } else {
    throw new Error('persisted query manifest: expected an object');
  }
  return { operations };
}

export function loadManifest(file: string): PersistedQueryManifest {
  return parseManifest(JSON.parse(readFileSync(file, 'utf8')));
}

/** A read-only APQ cache serving the manifest (Apollo prefixes keys with `apq:`). */
export class ManifestQueryCache {
  constructor(private readonly manifest: PersistedQueryManifest) {}

  async get(key: string): Promise<string | undefined> {
    return this.manifest.operations.get(key.replace(/^apq:/, ''));
  }

  async set(): Promise<void> {
    // Closed: operations are only added through the manifest.
  }

  async delete(): Promise<boolean> {
    return false;
  }
}

/** Refuses any operation whose text is not in the manifest. */
export function allowListPlugin(manifest: PersistedQueryManifest): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ source, queryHash }) {
          const hash = queryHash ?? sha256Hex(source);
          if (!manifest.operations.has(hash)) {
            throw new GraphQLError('This operation is not on the allow-list of persisted queries', {
              extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
