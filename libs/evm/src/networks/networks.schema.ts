import { z } from 'zod';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
const positiveInt = z.number().int().positive();

export const AssetFileSchema = z.strictObject({
  address,
  name: z.string().min(1),
  version: z.string().min(1),
  decimals: z.number().int().min(0).max(36),
  symbol: z.string().min(1).max(32),
});

/** One entry of the networks file. */
export const NetworkFileEntrySchema = z.strictObject({
  network: z.string().regex(/^eip155:[1-9][0-9]{0,15}$/, 'must be a CAIP-2 eip155 id, e.g. eip155:8453'),
  name: z.string().min(1).optional(),
  v1Name: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
  rpcUrls: z.array(z.string().url()).min(1),
  assets: z.array(AssetFileSchema).default([]),
  confirmations: positiveInt.max(1000).default(1),
  gasLimits: z
    .strictObject({
      transferWithAuthorization: positiveInt.default(200_000),
      deployment: positiveInt.default(1_500_000),
    })
    .default({}),
  feeModel: z.enum(['eip1559', 'legacy']).default('eip1559'),
  /** Name of an env variable holding this network's signer keys (comma/space separated). */
  signerKeysEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  /** File holding this network's signer keys (one per line). */
  signerKeysFile: z.string().min(1).optional(),
  eip6492AllowedFactories: z.array(address).default([]),
  receiptTimeoutSeconds: positiveInt.max(3600).default(60),
  receiptPollMs: positiveInt.max(60_000).default(250),
  rpcTimeoutMs: positiveInt.max(120_000).default(10_000),
});

/** The networks file (`NETWORKS_FILE`): `{ "networks": [ … ] }`. */
export const NetworksFileSchema = z.strictObject({
  networks: z.array(NetworkFileEntrySchema).min(1),
});

export type NetworkFileEntry = z.input<typeof NetworkFileEntrySchema>;
export type NetworksFile = z.input<typeof NetworksFileSchema>;
