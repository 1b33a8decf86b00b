import { readFileSync } from 'node:fs';
import { getAddress, type Address } from 'viem';
import type { NetworkConfig } from './network.config';
import { NetworksErrorCode, NetworksException } from './networks.exception';
import { NetworkFileEntrySchema, NetworksFileSchema } from './networks.schema';
import { SignerKey } from './signer-key';

export interface LoadNetworksOptions {
  /** Signer keys for every network that names none of its own (FACILITATOR_PRIVATE_KEYS / FACILITATOR_KEYS_FILE). */
  defaultSignerKeys?: readonly string[];
  /** Environment for `signerKeysEnv` lookups. */
  env?: NodeJS.ProcessEnv;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new NetworksException(NetworksErrorCode.UNREADABLE_FILE, [
      `${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}

/** Splits a key list (commas, spaces, newlines); every entry must be a 0x 32-byte hex key (values never echoed). */
export function parseSignerKeys(text: string, what: string, problems: string[]): SignerKey[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .flatMap((raw, i) => {
      const key = SignerKey.parse(raw);
      if (!key) problems.push(`${what}: entry ${i + 1} is not a 0x-prefixed 32-byte hex key (value hidden)`);
      return key ? [key] : [];
    });
}

/** Validates a parsed networks document (the file's JSON) and resolves signer keys. Lists every problem at once. */
export function resolveNetworks(document: unknown, options: LoadNetworksOptions = {}): NetworkConfig[] {
  const parsed = NetworksFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new NetworksException(
      NetworksErrorCode.INVALID_NETWORKS_FILE,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    );
  }
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const defaults = parseSignerKeys((options.defaultSignerKeys ?? []).join(','), 'FACILITATOR_PRIVATE_KEYS', problems);
  const seen = new Set<string>();
  const networks = parsed.data.networks.map((n, index) => {
    const where = `networks.${index} (${n.network})`;
    if (seen.has(n.network)) problems.push(`${where}: network listed twice`);
    seen.add(n.network);
    let keys = defaults;
    if (n.signerKeysEnv) {
      const text = env[n.signerKeysEnv];
      if (!text) problems.push(`${where}: signerKeysEnv ${n.signerKeysEnv} is not set`);
      keys = parseSignerKeys(text ?? '', `${where}: ${n.signerKeysEnv}`, problems);
    } else if (n.signerKeysFile) {
      try {
        keys = parseSignerKeys(
          readText(n.signerKeysFile, `${where}: signerKeysFile`),
          `${where}: signerKeysFile`,
          problems,
        );
      } catch (e) {
        problems.push(...(e as NetworksException).problems);
      }
    }
    if (keys.length === 0)
      problems.push(`${where}: no signer keys (signerKeysEnv, signerKeysFile or FACILITATOR_PRIVATE_KEYS)`);
    return toConfig(n, keys);
  });
  if (problems.length > 0) throw new NetworksException(NetworksErrorCode.INVALID_NETWORKS_FILE, problems);
  return networks;
}

function toConfig(n: ReturnType<typeof NetworkFileEntrySchema.parse>, keys: SignerKey[]): NetworkConfig {
  const chainId = Number(n.network.slice('eip155:'.length));
  return {
    network: n.network as `eip155:${number}`,
    chainId,
    displayName: n.name ?? n.network,
    v1Name: n.v1Name ?? null,
    rpcUrls: n.rpcUrls,
    assets: n.assets.map((a) => ({ ...a, address: getAddress(a.address) })),
    confirmations: n.confirmations,
    gasLimits: {
      transferWithAuthorization: BigInt(n.gasLimits.transferWithAuthorization),
      deployment: BigInt(n.gasLimits.deployment),
    },
    feeModel: n.feeModel,
    signerKeys: keys,
    eip6492AllowedFactories: n.eip6492AllowedFactories.map((a) => getAddress(a) as Address),
    receiptTimeoutMs: n.receiptTimeoutSeconds * 1000,
    receiptPollMs: n.receiptPollMs,
    rpcTimeoutMs: n.rpcTimeoutMs,
  };
}

/** Reads and validates `NETWORKS_FILE`. */
export function loadNetworksFile(file: string, options: LoadNetworksOptions = {}): NetworkConfig[] {
  const text = readText(file, 'NETWORKS_FILE');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new NetworksException(NetworksErrorCode.INVALID_NETWORKS_FILE, [
      `NETWORKS_FILE: not JSON (${(e as Error).message})`,
    ]);
  }
  return resolveNetworks(document, options);
}

/**
 * The one-network shortcut: RPC_URL (+ RPC_FALLBACK_URLS), NETWORK (CAIP-2), ASSET_ADDRESS / ASSET_NAME /
 * ASSET_VERSION / ASSET_DECIMALS / ASSET_SYMBOL, CONFIRMATIONS, and the signer keys.
 */
export function networksFromEnv(env: NodeJS.ProcessEnv, defaultSignerKeys: readonly string[]): NetworkConfig[] {
  const problems: string[] = [];
  if (!env.RPC_URL) problems.push('RPC_URL: required');
  if (!env.NETWORK) problems.push('NETWORK: required with RPC_URL (CAIP-2, e.g. eip155:84532)');
  const assets = env.ASSET_ADDRESS
    ? [
        {
          address: env.ASSET_ADDRESS,
          name: env.ASSET_NAME ?? '',
          version: env.ASSET_VERSION ?? '',
          decimals: Number(env.ASSET_DECIMALS ?? '6'),
          symbol: env.ASSET_SYMBOL ?? 'USDC',
        },
      ]
    : [];
  if (problems.length) throw new NetworksException(NetworksErrorCode.INVALID_ENVIRONMENT, problems);
  const fallbacks = (env.RPC_FALLBACK_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return resolveNetworks(
    {
      networks: [
        {
          network: env.NETWORK,
          rpcUrls: [env.RPC_URL, ...fallbacks],
          assets,
          ...(env.CONFIRMATIONS ? { confirmations: Number(env.CONFIRMATIONS) } : {}),
        },
      ],
    },
    { defaultSignerKeys, env },
  );
}
