import { SignerKey } from '@x402-ledger/evm';
import { getAddress, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { RefundsErrorCode, RefundsException } from './refunds.exception';

/** A refund hot wallet: executes approved refunds of one payTo on one network automatically, within limits. */
export interface HotWalletConfig {
  network: string;
  /** The wallet's key (from env or a file; redacted in every printed form). */
  key: SignerKey;
  /** The wallet's address (derived from the key). */
  address: Address;
  /** The payTo whose refunds it pays (default: its own address, i.e. the payTo wallet itself). */
  payTo: Address;
  /** Largest single refund it executes (atomic units); larger ones wait for a provider-signed authorization. */
  perRefundLimit: bigint;
  /** Most it sends per UTC day (atomic units), counted from the ledger's refund facts. */
  perDayLimit: bigint;
}

/** The refunds module's configuration, validated once (resolveRefundsOptions). */
export interface RefundsOptions {
  /** `producer` of every envelope this module writes. */
  producer: string;
  /** Folder of the module's local durable state (signed refund transactions); null keeps them in memory (tests). */
  stateDir: string | null;
  /** The `domain` a payer's SIWx dispute proof must name (as for wallet sign-in). */
  siwxDomain: string;
  /** How long the provider has to respond to a dispute (respondBy = opened + this). */
  disputeResponseSeconds: number;
  /** Oldest acceptable `Issued At` of a dispute proof. */
  proofMaxAgeSeconds: number;
  /** Same payer, resource, amount within this many seconds → likely duplicate. */
  duplicateWindowSeconds: number;
  /** How far ahead a refund authorization's validBefore may be. */
  authorizationMaxValiditySeconds: number;
  /** Blocks after the including one before a refund counts as confirmed (1 = included). */
  confirmations: number;
  /** Background loop period (deadlines, hot wallet, confirmations); 0 = none (tests call `tick()`). */
  tickIntervalMs: number;
  hotWallets: HotWalletConfig[];
}

export const REFUNDS_OPTIONS = Symbol('REFUNDS_OPTIONS');

const positiveInt = z.number().int().positive();
const atomic = z.union([z.bigint(), z.string().regex(/^[0-9]{1,78}$/)]).transform((v) => BigInt(v));

const inputSchema = z.strictObject({
  producer: z.string().min(1).max(100).default('refunds@0.1.0'),
  stateDir: z.string().min(1).nullable().default(null),
  siwxDomain: z.string().min(1).max(255),
  disputeResponseSeconds: positiveInt.default(7 * 24 * 3600),
  proofMaxAgeSeconds: positiveInt.default(600),
  duplicateWindowSeconds: positiveInt.default(600),
  authorizationMaxValiditySeconds: positiveInt.default(7 * 24 * 3600),
  confirmations: positiveInt.default(1),
  tickIntervalMs: z.number().int().min(0).default(1000),
  hotWallets: z
    .array(
      z.strictObject({
        network: z.string().regex(/^eip155:[0-9]+$/),
        key: z.union([z.custom<SignerKey>((v) => v instanceof SignerKey, 'must be a SignerKey'), z.string()]),
        payTo: z
          .string()
          .regex(/^0x[0-9a-fA-F]{40}$/)
          .optional(),
        perRefundLimit: atomic,
        perDayLimit: atomic,
      }),
    )
    .default([]),
});

export type RefundsOptionsInput = z.input<typeof inputSchema>;

/** Validates and completes the options; lists every problem at once. Keys never appear in messages. */
export function resolveRefundsOptions(input: RefundsOptionsInput): RefundsOptions {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RefundsException(RefundsErrorCode.INVALID_INPUT, `invalid refunds options: ${problems.join('; ')}`);
  }
  const hotWallets = parsed.data.hotWallets.map((w, i): HotWalletConfig => {
    const key = typeof w.key === 'string' ? SignerKey.parse(w.key) : w.key;
    if (!key) {
      throw new RefundsException(RefundsErrorCode.INVALID_INPUT, `hotWallets.${i}.key: not a 32-byte hex private key`);
    }
    const address = privateKeyToAccount(key.reveal()).address;
    return {
      network: w.network,
      key,
      address,
      payTo: getAddress(w.payTo ?? address),
      perRefundLimit: w.perRefundLimit,
      perDayLimit: w.perDayLimit,
    };
  });
  const seen = new Set<string>();
  for (const w of hotWallets) {
    const id = `${w.network}|${w.payTo.toLowerCase()}`;
    if (seen.has(id)) {
      throw new RefundsException(
        RefundsErrorCode.INVALID_INPUT,
        `two hot wallets for payTo ${w.payTo} on ${w.network}`,
      );
    }
    seen.add(id);
  }
  return { ...parsed.data, hotWallets };
}
