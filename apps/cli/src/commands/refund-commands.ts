import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignerKey } from '@x402-ledger/evm';
import { refundAuthorizationTypedData } from '@x402-ledger/refunds';
import { createPublicClient, getAddress, http, parseAbi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CliUsageError } from '../cli-args';

const TOKEN_ABI = parseAbi(['function name() view returns (string)', 'function version() view returns (string)']);

export interface AuthorizeOptions {
  /** Base URL of the daemon (GraphQL at /graphql). */
  api: string;
  apiKey: string;
  refundId: string;
  /** File holding the payTo wallet's private key (0x + 64 hex). Read once, never printed. */
  keyFile: string;
  /** JSON-RPC of the refund's network; default: the dev chain's, from the daemon's /dev (dev mode only). */
  rpcUrl?: string;
  validForSeconds: number;
  execute: boolean;
}

interface RefundFacts {
  id: string;
  status: string;
  amount: string;
  network: string | null;
  asset: string | null;
  payer: string | null;
  payTo: string | null;
}

async function gql<T>(o: AuthorizeOptions, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${o.api.replace(/\/$/, '')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new CliUsageError(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

function readKey(file: string): SignerKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read --key-file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = SignerKey.parse(text);
  if (!key) throw new CliUsageError('--key-file must hold one 0x-prefixed 32-byte hex key');
  return key;
}

/**
 * `authorize`: the provider's payTo wallet signs an EIP-3009 transferWithAuthorization for an approved refund
 * (payTo → payer, the refund amount, valid for a bounded time, a fresh random nonce), offline; with `--execute` the
 * daemon submits it through GraphQL `executeRefund` — a facilitator signer pays the gas. Prints the authorization
 * (never the key) and, when executed, the refund's status and transaction.
 */
export async function authorizeRefund(o: AuthorizeOptions, out: (line: string) => void): Promise<number> {
  const { refund } = await gql<{ refund: RefundFacts | null }>(
    o,
    'query($id: ID!) { refund(id: $id) { id status amount network asset payer payTo } }',
    { id: o.refundId },
  );
  if (!refund) throw new CliUsageError(`refund ${o.refundId} not found (or not visible to this API key)`);
  if (refund.status !== 'APPROVED') throw new CliUsageError(`refund ${refund.id} is ${refund.status}, not APPROVED`);
  if (!refund.network || !refund.asset || !refund.payer || !refund.payTo)
    throw new CliUsageError(`refund ${refund.id} lacks its payment facts`);

  const account = privateKeyToAccount(readKey(o.keyFile).reveal());
  if (getAddress(account.address) !== getAddress(refund.payTo))
    throw new CliUsageError(`the key is ${account.address}, but the refund is paid from payTo ${refund.payTo}`);

  let rpcUrl = o.rpcUrl;
  if (!rpcUrl) {
    const dev = await fetch(`${o.api.replace(/\/$/, '')}/dev`).then(
      (r) => (r.ok ? r.json() : null),
      () => null,
    );
    rpcUrl = (dev as { rpcUrl?: string } | null)?.rpcUrl;
    if (!rpcUrl) throw new CliUsageError('--rpc is required (the daemon is not in dev mode, or not on this machine)');
  }
  const chain = createPublicClient({ transport: http(rpcUrl) });
  const chainId = await chain.getChainId();
  if (`eip155:${chainId}` !== refund.network)
    throw new CliUsageError(`--rpc serves eip155:${chainId}, the refund is on ${refund.network}`);
  const asset = getAddress(refund.asset);
  const [name, version] = await Promise.all([
    chain.readContract({ address: asset, abi: TOKEN_ABI, functionName: 'name' }),
    chain.readContract({ address: asset, abi: TOKEN_ABI, functionName: 'version' }),
  ]);

  const validBefore = BigInt(Math.floor(Date.now() / 1000) + o.validForSeconds);
  const nonce = `0x${randomBytes(32).toString('hex')}` as Hex;
  const typed = refundAuthorizationTypedData({
    chainId,
    asset: { address: asset, name, version, decimals: 0, symbol: '' },
    from: account.address,
    to: refund.payer,
    value: BigInt(refund.amount),
    validAfter: 0n,
    validBefore,
    nonce,
  });
  const signature = await account.signTypedData(typed);
  const authorization = {
    from: getAddress(account.address),
    to: getAddress(refund.payer),
    value: refund.amount,
    validAfter: '0',
    validBefore: validBefore.toString(),
    nonce,
    signature,
  };
  out(JSON.stringify({ refundId: refund.id, authorization }));
  if (!o.execute) return 0;

  const result = await gql<{
    executeRefund: {
      refund: { status: string; transaction: string | null; method: string | null } | null;
      userErrors: { code: string; message: string }[];
    };
  }>(
    o,
    `mutation($input: ExecuteRefundInput!) { executeRefund(input: $input) {
       refund { status transaction method } userErrors { code message } } }`,
    { input: { refundId: refund.id, idempotencyKey: `cli-authorize:${nonce}`, authorization } },
  );
  const { refund: executed, userErrors } = result.executeRefund;
  if (userErrors.length > 0) {
    out(JSON.stringify({ executed: false, userErrors }));
    return 1;
  }
  out(JSON.stringify({ executed: true, ...executed }));
  return 0;
}
