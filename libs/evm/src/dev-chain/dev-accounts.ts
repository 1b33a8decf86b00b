import { pbkdf2Sync } from 'node:crypto';
import { toHex, type Address, type Hex } from 'viem';
import { HDKey, privateKeyToAccount } from 'viem/accounts';

/** The well-known Hardhat/Foundry test mnemonic. Every key derived from it is public: dev and tests only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export type DevAccountRole = 'deployer' | 'facilitatorSigner' | 'provider' | 'buyer';

export interface DevAccount {
  readonly address: Address;
  readonly privateKey: Hex;
  /** BIP-44 address index: the key is m/44'/60'/0'/0/<hdIndex> of DEV_MNEMONIC. */
  readonly hdIndex: number;
  readonly role: DevAccountRole;
}

/**
 * Which mnemonic index plays which role (fixed, so addresses are the same on every start):
 *
 * | index  | role               | ETH at genesis | TestUSDC minted |
 * |--------|--------------------|----------------|-----------------|
 * | 0      | deployer (token owner, deploys the token at nonce 0) | 10,000 | 0 |
 * | 1..4   | facilitator signers (submit settlements)             | 1,000 each | 0 |
 * | 5..7   | providers (payTo wallets of resource servers)        | 100 each | 1,000 each |
 * | 8..12  | buyers (sign EIP-3009 authorizations, never pay gas) | 0 | 1,000,000 each |
 */
export const DEV_ACCOUNT_LAYOUT = {
  deployer: { first: 0, count: 1 },
  facilitatorSigner: { first: 1, count: 4 },
  provider: { first: 5, count: 3 },
  buyer: { first: 8, count: 5 },
} as const satisfies Record<DevAccountRole, { first: number; count: number }>;

export interface DevAccounts {
  readonly deployer: DevAccount;
  readonly facilitatorSigners: readonly DevAccount[];
  readonly providers: readonly DevAccount[];
  readonly buyers: readonly DevAccount[];
}

let root: HDKey | undefined;

/**
 * Derives m/44'/60'/0'/0/<index> of DEV_MNEMONIC: the same keys viem's `mnemonicToAccount(DEV_MNEMONIC,
 * { addressIndex })` gives, but the BIP-39 seed (2048 rounds of PBKDF2) is computed once per process with Node's
 * native crypto instead of once per account.
 */
export function deriveDevAccount(hdIndex: number, role: DevAccountRole): DevAccount {
  if (!Number.isInteger(hdIndex) || hdIndex < 0) throw new RangeError(`invalid HD index ${hdIndex}`);
  root ??= HDKey.fromMasterSeed(
    pbkdf2Sync(
      Buffer.from(DEV_MNEMONIC.normalize('NFKD'), 'utf8'),
      Buffer.from('mnemonic', 'utf8'),
      2048,
      64,
      'sha512',
    ),
  );
  const key = root.derive(`m/44'/60'/0'/0/${hdIndex}`).privateKey;
  if (!key) throw new Error(`no private key at HD index ${hdIndex}`);
  const privateKey = toHex(key);
  return Object.freeze({ address: privateKeyToAccount(privateKey).address, privateKey, hdIndex, role });
}

let cached: DevAccounts | undefined;

/** The dev chain's accounts by role (see DEV_ACCOUNT_LAYOUT). */
export function devAccounts(): DevAccounts {
  const range = (role: DevAccountRole) => {
    const { first, count } = DEV_ACCOUNT_LAYOUT[role];
    return Object.freeze(Array.from({ length: count }, (_, i) => deriveDevAccount(first + i, role)));
  };
  cached ??= Object.freeze({
    deployer: range('deployer')[0],
    facilitatorSigners: range('facilitatorSigner'),
    providers: range('provider'),
    buyers: range('buyer'),
  });
  return cached;
}
