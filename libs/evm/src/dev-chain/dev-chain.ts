import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  encodeDeployData,
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  numberToHex,
  pad,
  type Address,
  type Chain,
  type CustomTransport,
  type Hash,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  MULTICALL3_ADDRESS,
  DEV_MULTICALL3_DEPLOYED_BYTECODE,
  DEV_PERMIT2_ARTIFACT,
  DEV_TEST_TOKEN_ADDRESS,
  DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT,
  PERMIT2_ADDRESS,
  TEST_TOKEN_ARTIFACT,
  TEST_TOKEN_METADATA,
  TEST_TOKEN_SLOTS,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  TEST_SMART_WALLET_ABI,
  TEST_SMART_WALLET_BYTECODE,
  TEST_USDC_ABI,
  TEST_USDC_BYTECODE,
  TEST_USDC_METADATA,
} from '../contracts';
import { devAccounts, type DevAccount } from './dev-accounts';
import { DevChainErrorCode, DevChainException } from './dev-chain.exception';
import { createEdrProvider } from './edr-provider.factory';
import type { Eip1193Provider } from './eip1193-provider';
import { serveJsonRpc, type JsonRpcServer } from './json-rpc.server';
import { withRevertReasonCodes } from './revert-reason.provider';

export const DEV_CHAIN_ID = 31337;
export const DEV_CHAIN_NETWORK = 'eip155:31337';
export const DEV_CHAIN_DEFAULT_RPC_PORT = 8545;

const ETH = 10n ** 18n;
const USDC = 10n ** BigInt(TEST_USDC_METADATA.decimals);
/** Genesis ETH and minted TestUSDC per role (see DEV_ACCOUNT_LAYOUT in dev-accounts.ts). */
export const DEV_CHAIN_FUNDING = {
  deployerEth: 10_000n * ETH,
  facilitatorSignerEth: 1_000n * ETH,
  providerEth: 100n * ETH,
  providerUsdc: 1_000n * USDC,
  buyerEth: 0n,
  buyerUsdc: 1_000_000n * USDC,
  /** TestToken (18 decimals, Permit2 payments) per buyer; every buyer but the last has approved Permit2 for max. */
  buyerTestToken: 1_000_000n * 10n ** BigInt(TEST_TOKEN_METADATA.decimals),
} as const;

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * The token always lands here: the deployer's first transaction (nonce 0) creates it
 * (= getContractAddress({ from: deployer, nonce: 0n }); startDevChain checks it).
 */
export const DEV_TOKEN_ADDRESS: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

export interface DevChainOptions {
  /** JSON-RPC over HTTP on 127.0.0.1:<rpcPort>. Default 8545; 0 = any free port (read `rpcUrl`). */
  rpcPort?: number;
  /**
   * Interval mining: automine off, one block every `blockTimeMs` (a transaction waits for the next block).
   * Default: automine, each transaction is mined in its own block as it arrives.
   */
  blockTimeMs?: number;
  /** Largest JSON-RPC request body the HTTP server accepts (HTTP 413 beyond). Default 10 MiB. */
  maxBodyBytes?: number;
}

export interface DevToken {
  readonly address: Address;
  readonly name: string;
  readonly version: string;
  readonly decimals: number;
  readonly symbol: string;
}

/** The Permit2 setup of the dev chain: contracts at their canonical addresses and an ordinary ERC-20 to pay with. */
export interface DevPermit2Setup {
  /** Permit2 (SignatureTransfer) at 0x000000000022D473030F116dDEE9F6B43aC78BA3. */
  readonly permit2Address: Address;
  /** x402ExactPermit2Proxy at 0x402085c248EeA27D92E8b30b2C58ed07f9E20001. */
  readonly proxyAddress: Address;
  /** "Test Token" (TT, 18 decimals), no EIP-3009. */
  readonly token: {
    readonly address: Address;
    readonly name: string;
    readonly symbol: string;
    readonly decimals: number;
  };
  /** Buyers funded with TestToken that have approved Permit2 (max allowance). */
  readonly approvedBuyers: readonly DevAccount[];
  /** A buyer funded with TestToken that has NOT approved Permit2 (→ permit2_allowance_required). */
  readonly unapprovedBuyer: DevAccount;
}

export type DevPublicClient = PublicClient<CustomTransport, Chain>;
export type DevWalletClient = WalletClient<CustomTransport, Chain, LocalAccount>;

export interface DevChain {
  readonly chainId: typeof DEV_CHAIN_ID;
  /** CAIP-2 id, as x402 requirements name the network. */
  readonly network: typeof DEV_CHAIN_NETWORK;
  /** viem chain definition (rpcUrls = this chain's HTTP URL, contracts.multicall3 installed). */
  readonly chain: Chain;
  /** `http://127.0.0.1:<port>`: JSON-RPC for outside tools and HTTP clients. */
  readonly rpcUrl: string;
  readonly rpcPort: number;
  /** In-process EIP-1193 provider (reverts carry `code: 3` + `data`, so viem decodes reasons). */
  readonly provider: Eip1193Provider;
  readonly token: DevToken;
  /** Permit2, the x402 exact Permit2 proxy and TestToken (see DevPermit2Setup). */
  readonly permit2: DevPermit2Setup;
  /** Multicall3-compatible contract at the canonical address (tryAggregate, aggregate3). */
  readonly multicall3Address: Address;
  readonly deployer: DevAccount;
  readonly facilitatorSigners: readonly DevAccount[];
  readonly providers: readonly DevAccount[];
  readonly buyers: readonly DevAccount[];
  /** In-process public client over `custom(provider)`. */
  readonly publicClient: DevPublicClient;
  /** How long startDevChain took, ms (including loading the EVM on the first start in a process). */
  readonly startupMs: number;
  /** In-process wallet client for a dev account or any local viem account. */
  walletClientFor(account: DevAccount | LocalAccount): DevWalletClient;
  /** Mints TestUSDC (atomic units) from the deployer and waits for the receipt. */
  mintUsdc(to: Address, amount: bigint): Promise<TransactionReceipt>;
  /** Sets an account's TestToken balance (storage write, no Transfer event); totalSupply is adjusted. */
  setTestTokenBalance(holder: Address, amount: bigint): Promise<void>;
  /** Sets `owner`'s TestToken allowance for `spender` (storage write; e.g. Permit2 approval for a gasless buyer). */
  setTestTokenAllowance(owner: Address, spender: Address, amount: bigint): Promise<void>;
  /** Deploys a TestSmartWallet owned by `owner` from the deployer; resolves to the wallet's address. */
  deploySmartWallet(owner: Address): Promise<Address>;
  /** Stops the HTTP server (the port is free once this resolves) and interval mining. Idempotent. */
  close(): Promise<void>;
}

/** Fixed fees for the setup transactions: far above the base fee, which starts at 1 gwei and only falls here. */
const SETUP_FEES = { maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n } as const;
const DEPLOY_GAS = 3_000_000n;
const MINT_GAS = 200_000n;

/**
 * Starts the embedded dev EVM chain: Hardhat 2's EDR in process (chainId 31337), the dev accounts funded, TestUSDC
 * deployed by the deployer at nonce 0 (so always at DEV_TOKEN_ADDRESS) and minted to providers and buyers,
 * a Multicall3 at its canonical address, and JSON-RPC served on 127.0.0.1.
 */
export async function startDevChain(options: DevChainOptions = {}): Promise<DevChain> {
  const started = performance.now();
  const rpcPort = options.rpcPort ?? DEV_CHAIN_DEFAULT_RPC_PORT;
  const blockTimeMs = options.blockTimeMs;
  if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535) {
    throw new DevChainException(
      DevChainErrorCode.INVALID_OPTIONS,
      `rpcPort must be an integer 0..65535, got ${rpcPort}`,
    );
  }
  if (blockTimeMs !== undefined && (!Number.isInteger(blockTimeMs) || blockTimeMs <= 0)) {
    throw new DevChainException(
      DevChainErrorCode.INVALID_OPTIONS,
      `blockTimeMs must be a positive integer, got ${blockTimeMs}`,
    );
  }

  const accounts = devAccounts();
  const edr = await createEdrProvider({
    chainId: DEV_CHAIN_ID,
    automine: true, // setup runs on automine; interval mining (if asked) starts once the chain is ready
    intervalMs: 0,
    genesisAccounts: [
      { privateKey: accounts.deployer.privateKey, balance: DEV_CHAIN_FUNDING.deployerEth },
      ...accounts.facilitatorSigners.map((a) => ({
        privateKey: a.privateKey,
        balance: DEV_CHAIN_FUNDING.facilitatorSignerEth,
      })),
      ...accounts.providers.map((a) => ({ privateKey: a.privateKey, balance: DEV_CHAIN_FUNDING.providerEth })),
      ...accounts.buyers.map((a) => ({ privateKey: a.privateKey, balance: DEV_CHAIN_FUNDING.buyerEth })),
    ],
  });
  // In process, reverts reach viem as a node would report them; over HTTP the server maps them the same way.
  const provider = withRevertReasonCodes(edr);

  try {
    await seed(provider, accounts.deployer, [
      ...accounts.providers.map((a) => ({ to: a.address, amount: DEV_CHAIN_FUNDING.providerUsdc })),
      ...accounts.buyers.map((a) => ({ to: a.address, amount: DEV_CHAIN_FUNDING.buyerUsdc })),
    ]);
    await installPermit2(
      provider,
      accounts.buyers.map((b) => b.address),
      accounts.buyers.slice(0, -1).map((b) => b.address),
    );
  } catch (e) {
    throw new DevChainException(DevChainErrorCode.SETUP_FAILED, `dev chain setup failed: ${(e as Error).message}`, {
      cause: e,
    });
  }

  const server: JsonRpcServer = await serveJsonRpc(edr, { port: rpcPort, maxBodyBytes: options.maxBodyBytes });
  if (blockTimeMs !== undefined) {
    try {
      await provider.request({ method: 'evm_setAutomine', params: [false] });
      await provider.request({ method: 'evm_setIntervalMining', params: [blockTimeMs] });
    } catch (e) {
      await server.close();
      throw new DevChainException(DevChainErrorCode.SETUP_FAILED, `interval mining: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  const chain = defineChain({
    id: DEV_CHAIN_ID,
    name: 'x402 ledger dev chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [server.url] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
    testnet: true,
  });
  // viem polls for receipts; in process a poll costs microseconds, so poll often (a fraction of the block time).
  const pollingInterval = blockTimeMs === undefined ? 20 : Math.min(Math.max(Math.floor(blockTimeMs / 8), 20), 1000);
  // No retries in process: there is no network to be flaky, and a retried revert only costs backoff time.
  const transport = custom(provider, { retryCount: 0 });
  const publicClient: DevPublicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClientFor = (account: DevAccount | LocalAccount): DevWalletClient =>
    createWalletClient({
      account: isDevAccount(account) ? privateKeyToAccount(account.privateKey) : account,
      chain,
      transport,
      pollingInterval,
    });

  // Deployer transactions after start are serialized so concurrent helpers never race for a nonce.
  const deployerWallet = walletClientFor(accounts.deployer);
  let deployerQueue: Promise<unknown> = Promise.resolve();
  const asDeployer = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = deployerQueue.then(fn, fn);
    deployerQueue = next.catch(() => undefined);
    return next;
  };

  let closing: Promise<void> | undefined;
  return {
    chainId: DEV_CHAIN_ID,
    network: DEV_CHAIN_NETWORK,
    chain,
    rpcUrl: server.url,
    rpcPort: server.port,
    provider,
    token: {
      address: DEV_TOKEN_ADDRESS,
      name: TEST_USDC_METADATA.name,
      version: TEST_USDC_METADATA.version,
      decimals: TEST_USDC_METADATA.decimals,
      symbol: TEST_USDC_METADATA.symbol,
    },
    permit2: {
      permit2Address: PERMIT2_ADDRESS,
      proxyAddress: X402_EXACT_PERMIT2_PROXY_ADDRESS,
      token: { address: DEV_TEST_TOKEN_ADDRESS, ...TEST_TOKEN_METADATA },
      approvedBuyers: accounts.buyers.slice(0, -1),
      unapprovedBuyer: accounts.buyers[accounts.buyers.length - 1],
    },
    multicall3Address: MULTICALL3_ADDRESS,
    deployer: accounts.deployer,
    facilitatorSigners: accounts.facilitatorSigners,
    providers: accounts.providers,
    buyers: accounts.buyers,
    publicClient,
    startupMs: performance.now() - started,
    walletClientFor,
    mintUsdc: (to, amount) =>
      asDeployer(async () => {
        const hash = await deployerWallet.writeContract({
          address: DEV_TOKEN_ADDRESS,
          abi: TEST_USDC_ABI,
          functionName: 'mint',
          args: [to, amount],
        });
        return publicClient.waitForTransactionReceipt({ hash });
      }),
    setTestTokenBalance: (holder, amount) => setTestTokenBalance(provider, holder, amount),
    setTestTokenAllowance: (owner, spender, amount) => writeSlot(provider, allowanceSlot(owner, spender), amount),
    deploySmartWallet: (owner) =>
      asDeployer(async () => {
        const hash = await deployerWallet.deployContract({
          abi: TEST_SMART_WALLET_ABI,
          bytecode: TEST_SMART_WALLET_BYTECODE,
          args: [owner],
        });
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== 'success' || !receipt.contractAddress) {
          throw new Error(`TestSmartWallet deployment ${hash} failed`);
        }
        return receipt.contractAddress;
      }),
    close() {
      closing ??= (async () => {
        try {
          if (blockTimeMs !== undefined) await provider.request({ method: 'evm_setIntervalMining', params: [0] });
        } finally {
          await server.close();
        }
      })();
      return closing;
    },
  };
}

function isDevAccount(account: DevAccount | LocalAccount): account is DevAccount {
  return 'hdIndex' in account && 'privateKey' in account;
}

/**
 * Installs Multicall3, deploys TestUSDC from the deployer at nonce 0 and mints to the given holders, all in two
 * blocks: transactions are signed locally with fixed gas and fees and sent raw (no estimation round trips).
 */
async function seed(
  provider: Eip1193Provider,
  deployer: DevAccount,
  mints: { to: Address; amount: bigint }[],
): Promise<void> {
  await provider.request({ method: 'hardhat_setCode', params: [MULTICALL3_ADDRESS, DEV_MULTICALL3_DEPLOYED_BYTECODE] });

  const signer = privateKeyToAccount(deployer.privateKey);
  const send = async (nonce: number, tx: { to?: Address; data: Hex; gas: bigint }): Promise<Hash> => {
    const raw = await signer.signTransaction({ type: 'eip1559', chainId: DEV_CHAIN_ID, nonce, ...SETUP_FEES, ...tx });
    return (await provider.request({ method: 'eth_sendRawTransaction', params: [raw] })) as Hash;
  };
  const expectSuccess = async (hash: Hash, what: string): Promise<{ contractAddress: Address | null }> => {
    const receipt = (await provider.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as {
      status: Hex;
      contractAddress: Address | null;
    } | null;
    if (receipt?.status !== '0x1') throw new Error(`${what} (${hash}) did not succeed`);
    return receipt;
  };

  const nonce = Number(
    await provider.request({ method: 'eth_getTransactionCount', params: [deployer.address, 'latest'] }),
  );
  if (nonce !== 0) throw new Error(`deployer nonce is ${nonce}, expected 0`);
  const deployHash = await send(0, {
    data: encodeDeployData({ abi: TEST_USDC_ABI, bytecode: TEST_USDC_BYTECODE }),
    gas: DEPLOY_GAS,
  });
  const { contractAddress } = await expectSuccess(deployHash, 'TestUSDC deployment');
  if (contractAddress?.toLowerCase() !== DEV_TOKEN_ADDRESS.toLowerCase()) {
    throw new Error(`TestUSDC deployed at ${contractAddress}, expected ${DEV_TOKEN_ADDRESS}`);
  }

  // All mints in one block: pause automine, queue them, mine once.
  await provider.request({ method: 'evm_setAutomine', params: [false] });
  try {
    const hashes: Hash[] = [];
    for (const [i, m] of mints.entries()) {
      const data = encodeFunctionData({ abi: TEST_USDC_ABI, functionName: 'mint', args: [m.to, m.amount] });
      hashes.push(await send(1 + i, { to: DEV_TOKEN_ADDRESS, data, gas: MINT_GAS }));
    }
    await provider.request({ method: 'evm_mine', params: [] });
    for (const [i, hash] of hashes.entries()) await expectSuccess(hash, `TestUSDC mint to ${mints[i].to}`);
  } finally {
    await provider.request({ method: 'evm_setAutomine', params: [true] });
  }
}

function mappingSlot(key: Address, slot: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [key, slot]));
}

function allowanceSlot(owner: Address, spender: Address): Hex {
  const inner = mappingSlot(owner, TEST_TOKEN_SLOTS.allowance);
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [spender, inner]));
}

async function writeSlot(provider: Eip1193Provider, slot: Hex, value: bigint): Promise<void> {
  await provider.request({
    method: 'hardhat_setStorageAt',
    params: [DEV_TEST_TOKEN_ADDRESS, slot, pad(numberToHex(value), { size: 32 })],
  });
}

async function readSlot(provider: Eip1193Provider, slot: Hex): Promise<bigint> {
  return BigInt(
    (await provider.request({ method: 'eth_getStorageAt', params: [DEV_TEST_TOKEN_ADDRESS, slot, 'latest'] })) as Hex,
  );
}

async function setTestTokenBalance(provider: Eip1193Provider, holder: Address, amount: bigint): Promise<void> {
  const slot = mappingSlot(holder, TEST_TOKEN_SLOTS.balanceOf);
  const supplySlot = pad(numberToHex(TEST_TOKEN_SLOTS.totalSupply), { size: 32 });
  const [before, supply] = await Promise.all([readSlot(provider, slot), readSlot(provider, supplySlot)]);
  await writeSlot(provider, slot, amount);
  await writeSlot(provider, supplySlot, supply - before + amount);
}

/**
 * Installs Permit2, the x402 exact Permit2 proxy and TestToken (runtime code at fixed addresses; none has a
 * constructor, immutables or storage to initialize) and seeds TestToken balances and Permit2 allowances by storage
 * writes, so no account nonce moves (the deployer's nonces stay as the TestUSDC setup expects).
 */
async function installPermit2(
  provider: Eip1193Provider,
  funded: readonly Address[],
  approved: readonly Address[],
): Promise<void> {
  await provider.request({
    method: 'hardhat_setCode',
    params: [PERMIT2_ADDRESS, DEV_PERMIT2_ARTIFACT.deployedBytecode],
  });
  await provider.request({
    method: 'hardhat_setCode',
    params: [X402_EXACT_PERMIT2_PROXY_ADDRESS, DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT.deployedBytecode],
  });
  await provider.request({
    method: 'hardhat_setCode',
    params: [DEV_TEST_TOKEN_ADDRESS, TEST_TOKEN_ARTIFACT.deployedBytecode],
  });
  for (const holder of funded) await setTestTokenBalance(provider, holder, DEV_CHAIN_FUNDING.buyerTestToken);
  for (const owner of approved) await writeSlot(provider, allowanceSlot(owner, PERMIT2_ADDRESS), MAX_UINT256);
}
