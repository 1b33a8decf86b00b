import { createHash } from 'node:crypto';
import { parseManifest } from '@x402-ledger/api';
import { ADMIN_KEY, startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { twoTenantScenario } from './support/scenario';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const LISTED = 'query Recent { payments(first: 3) { nodes { id status } } }';
const MUTATION =
  'mutation Refund($input: RequestRefundInput!) { requestRefund(input: $input) { refund { id } userErrors { code message } } }';

/** Production mode: no introspection, and only operations of the persisted-query manifest run (by hash or text). */
describe('production mode with a persisted-query allow-list', () => {
  const s = twoTenantScenario();
  let t: ApiTestApp;

  beforeAll(async () => {
    const manifest = parseManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: sha(LISTED), name: 'Recent', type: 'query', body: LISTED },
        { id: sha(MUTATION), name: 'Refund', type: 'mutation', body: MUTATION },
      ],
    });
    t = await startApiTestApp({
      seed: s.writer.envelopes,
      mode: 'production',
      persistedQueries: { mode: 'allow-list', manifest },
      workflows: 'none',
    });
  });
  afterAll(async () => t?.close());

  const post = async (body: unknown) => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: Record<string, { nodes: unknown[] } & Record<string, unknown>>;
        errors?: { extensions?: Record<string, unknown> }[];
      },
    };
  };

  it('runs a listed operation sent by hash only, or by its text', async () => {
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha(LISTED) } } });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data!['payments'].nodes).toHaveLength(3);
    const byText = await post({ query: LISTED });
    expect(byText.body.data).toEqual(byHash.body.data);
  });

  it('refuses any other operation, including introspection and unknown hashes', async () => {
    const other = await post({ query: '{ payments(first: 100) { nodes { id payer } } }' });
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(other.body.data).toBeUndefined();
    const introspection = await post({ query: '{ __schema { queryType { name } } }' });
    expect(introspection.body.errors?.[0]?.extensions?.['code']).toMatch(
      /PERSISTED_QUERY_NOT_ALLOWED|GRAPHQL_VALIDATION_FAILED/,
    );
    const unknown = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ viewer { id } }') } },
    });
    expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Registering a new operation through APQ is closed.
    const register = await post({
      query: '{ viewer { id } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ viewer { id } }') } },
    });
    expect(register.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const again = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ viewer { id } }') } } });
    expect(again.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('answers NOT_AVAILABLE when the refund/dispute workflows are left to a composition root that bound none', async () => {
    const r = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: sha(MUTATION) } },
      variables: { input: { paymentId: s.payments.a.paymentId, reason: 'x', idempotencyKey: 'k' } },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!['requestRefund']).toEqual({
      refund: null,
      userErrors: [{ code: 'NOT_AVAILABLE', message: expect.any(String) }],
    });
  });

  it('rejects a manifest whose ids are not the sha256 of the operation', () => {
    expect(() => parseManifest({ [sha('x')]: '{ viewer { id } }' })).toThrow(/not sha256 of its body/);
  });
});
