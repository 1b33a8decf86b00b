import type { ApiTestApp } from './api-test-app';

export const REFUND_FIELDS = `refund { id paymentId status amount reason requestedBy approvedBy transaction method payTo payer } replayed userErrors { code message }`;
export const DISPUTE_FIELDS = `dispute { id paymentId status reason openedBy evidenceCount decidedBy note amount payoutRefundId }
  payoutRefund { id status amount requestedBy disputeId } replayed userErrors { code message }`;

export type Payload = {
  refund?: Record<string, unknown> | null;
  dispute?: Record<string, unknown> | null;
  payoutRefund?: Record<string, unknown> | null;
  replayed: boolean;
  userErrors: { code: string; message: string }[];
};

/** Runs a mutation `name(input: $input)` and returns its payload (fails the test on top-level errors). */
export async function mutate(
  t: ApiTestApp,
  name: string,
  input: Record<string, unknown>,
  token: string,
): Promise<Payload> {
  const fields = /refund/i.test(name) ? REFUND_FIELDS : DISPUTE_FIELDS;
  const inputType = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  const r = await t.gql<Record<string, Payload>>(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { ${fields} } }`,
    { input },
    token,
  );
  if (r.body.errors) throw new Error(`${name}: ${JSON.stringify(r.body.errors)}`);
  return r.body.data![name];
}

/** Top-level GraphQL error code of a mutation (for auth/role refusals). */
export async function mutateError(
  t: ApiTestApp,
  name: string,
  input: Record<string, unknown>,
  token: string | null,
): Promise<string | undefined> {
  const fields = /refund/i.test(name) ? REFUND_FIELDS : DISPUTE_FIELDS;
  const inputType = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  const r = await t.gql(`mutation($input: ${inputType}!) { ${name}(input: $input) { ${fields} } }`, { input }, token);
  return r.body.errors?.[0]?.extensions?.['code'] as string | undefined;
}

/** Every envelope on the log, in order. */
export async function logTypes(t: ApiTestApp, streamId?: string): Promise<string[]> {
  const types: string[] = [];
  await t.log.replay(async (batch) => {
    for (const { envelope } of batch) if (!streamId || envelope.streamId === streamId) types.push(envelope.type);
  });
  return types;
}
