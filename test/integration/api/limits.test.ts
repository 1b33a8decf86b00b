import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { twoTenantScenario } from './support/scenario';

/** Depth, complexity, page size, input bounds, rate limit, and error hygiene (codes only, no stacks, no SQL). */
describe('limits and errors', () => {
  const s = twoTenantScenario();
  let t: ApiTestApp;

  beforeAll(async () => {
    t = await startApiTestApp({ seed: s.writer.envelopes, limits: { rateLimit: { perSecond: 5, burst: 25 } } });
  });
  afterAll(async () => t?.close());

  const expectCleanError = (error: { message: string; extensions?: Record<string, unknown> } | undefined) => {
    expect(error).toBeDefined();
    const text = JSON.stringify(error);
    expect(text).not.toMatch(/stacktrace|\bat [A-Za-z_.]+ \(|\.ts:\d+|SELECT |FROM |ClickHouse/);
  };

  it('refuses a too-deep query before running it', async () => {
    const before = t.queryCount;
    const deep = `{ payments { nodes { refunds { payment { refunds { payment { refunds { payment { refunds { payment { refunds { id } } } } } } } } } } } }`;
    const r = await t.gql(deep);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]).toMatchObject({
      message: 'Query is too deep: depth 12 exceeds the limit of 10',
      extensions: { code: 'QUERY_TOO_DEEP', depth: 12, maxDepth: 10 },
    });
    expectCleanError(r.body.errors?.[0]);
    expect(t.queryCount).toBe(before);
  });

  it('counts fragments towards depth, not introspection', async () => {
    const viaFragment = `fragment R on Refund { payment { refunds { payment { refunds { payment { refunds { payment { id } } } } } } } }
      { payments { nodes { refunds { ...R } } } }`;
    expect((await t.gql(viaFragment)).body.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_DEEP');
    const introspection = await t.gql(
      `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }`,
    );
    expect(introspection.body.errors).toBeUndefined();
  });

  it('refuses a too-complex query with its cost and the limit', async () => {
    const before = t.queryCount;
    const heavy = `{ payments(first: 100) { nodes { id timeline { id type data } refunds { id payment { id timeline { id } } } } } }`;
    const r = await t.gql(heavy);
    expect(r.status).toBe(400);
    const error = r.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxCost: 10000 });
    expect(error?.extensions?.['cost']).toBeGreaterThan(10000);
    expect(error?.message).toMatch(/^Query is too complex: cost \d+ exceeds the limit of 10000$/);
    expect(t.queryCount).toBe(before);
    // The same shape with a small page is fine.
    expect((await t.gql(heavy.replace('first: 100', 'first: 5'))).body.errors).toBeUndefined();
  });

  it('refuses a page size above the maximum, and other out-of-bounds input, as BAD_USER_INPUT', async () => {
    const cases: [string, RegExp, Record<string, unknown>?][] = [
      [`{ payments(first: 101) { nodes { id } } }`, /first must be at most 100/],
      [`{ refunds(first: 0) { nodes { id } } }`, /first must be a positive integer/],
      [`{ payments(after: "bm90LWEtY3Vyc29y") { nodes { id } } }`, /invalid cursor/],
      [
        `{ payments(filter: { payTo: "0x123" }) { nodes { id } } }`,
        /filter.payTo must be a 0x-prefixed 20-byte hex address/,
      ],
      [`{ payments(filter: { minAmount: "-1" }) { nodes { id } } }`, /filter.minAmount must be an atomic amount/],
      [
        `query($f: PaymentFilter) { payments(filter: $f) { nodes { id } } }`,
        /DateTime must be an ISO-8601 string/,
        { f: { createdAt: { from: 'yesterday' } } },
      ],
      [
        `{ revenue(range: { from: "2026-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z" }, interval: HOUR) { from } }`,
        /at most 93 days/,
      ],
      [`{ payment(id: "x") { id } }`, /id must be a 64-character hex id/],
    ];
    for (const [query, message, variables] of cases) {
      const r = await t.gql(query, variables);
      expect({ query, code: r.body.errors?.[0]?.extensions?.['code'] }).toEqual({ query, code: 'BAD_USER_INPUT' });
      expect(r.body.errors?.[0]?.message).toMatch(message);
      expectCleanError(r.body.errors?.[0]);
    }
    // A cursor from another ordering is refused too.
    const page = await t.gql<{ payments: { pageInfo: { endCursor: string } } }>(
      `{ payments(first: 1) { pageInfo { endCursor } } }`,
    );
    const cursor = page.body.data!.payments.pageInfo.endCursor;
    const other = await t.gql(
      `query($c: String) { payments(first: 1, after: $c, orderBy: SETTLED_AT) { nodes { id } } }`,
      { c: cursor },
    );
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('rate-limits each caller (429 RATE_LIMITED with retry-after), others unaffected', async () => {
    const noisy = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'noisy', createdBy: 'test' })).key;
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(t.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${noisy}` },
          body: JSON.stringify({ query: '{ viewer { id } }' }),
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const limited = responses.filter((r) => r.status === 429);
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(25);
    expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(30);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0].headers.get('retry-after')).toBe('1');
    const body = (await limited[0].json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions['code']).toBe('RATE_LIMITED');
    expect((await t.gql(`{ viewer { id } }`)).status).toBe(200);
  });

  it('maps infrastructure failures to SERVICE_UNAVAILABLE with an error id — never SQL or stack traces', async () => {
    await t.client.command('DROP TABLE refunds_mv');
    await t.client.command('DROP TABLE refunds');
    const r = await t.gql(`{ refunds { nodes { id } } }`);
    const error = r.body.errors?.[0];
    expect(error).toMatchObject({
      message: 'The analytics store is unavailable',
      extensions: { code: 'SERVICE_UNAVAILABLE', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    expect(Object.keys(error!.extensions!).sort()).toEqual(['code', 'errorId']);
    expectCleanError(error);
  });
});
