import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  hashDomain,
  http,
  parseSignature,
  toHex,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  DEV_CHAIN_FUNDING,
  DEV_MULTICALL3_ABI,
  DEV_MULTICALL3_DEPLOYED_BYTECODE,
  DEV_TOKEN_ADDRESS,
  DevChainErrorCode,
  MULTICALL3_ADDRESS,
  TEST_SMART_WALLET_ABI,
  TEST_USDC_ABI,
  startDevChain,
  type DevChain,
} from '@x402-ledger/evm';

const TRANSFER_WITH_AUTHORIZATION_TYPES = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;

interface Authorization {
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
}

const newNonce = (): Hex => toHex(randomBytes(32));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The revert reason viem decoded, found anywhere in the error's cause chain. */
function revertReason(e: unknown): string | undefined {
  if (!(e instanceof BaseError)) throw e;
  const reverted = e.walk((err) => err instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.reason : undefined;
}

async function expectRevert(promise: Promise<unknown>, reason: string): Promise<void> {
  const outcome = await promise.then(
    () => ({ ok: true as const }),
    (e: unknown) => ({ ok: false as const, error: e }),
  );
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) expect(revertReason(outcome.error)).toBe(reason);
}

describe('embedded dev chain (Hardhat EDR in process + TestUSDC)', () => {
  let chain: DevChain;

  beforeAll(async () => {
    chain = await startDevChain({ rpcPort: 0 });
  });

  afterAll(async () => {
    await chain?.close();
  });

  function authorizationFor(signer: { address: Address }, to: Address, value: bigint): Authorization {
    const now = BigInt(Math.floor(Date.now() / 1000));
    return { from: signer.address, to, value, validAfter: 0n, validBefore: now + 3600n, nonce: newNonce() };
  }

  function signAuthorization(signer: LocalAccount, auth: Authorization): Promise<Hex> {
    return signer.signTypedData({
      domain: {
        name: chain.token.name,
        version: chain.token.version,
        chainId: chain.chainId,
        verifyingContract: chain.token.address,
      },
      types: TRANSFER_WITH_AUTHORIZATION_TYPES,
      primaryType: 'TransferWithAuthorization',
      message: auth,
    });
  }

  function vrsArgs(auth: Authorization, signature: Hex) {
    const { v, r, s } = parseSignature(signature);
    if (v === undefined) throw new Error('signature without v');
    return [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce, Number(v), r, s] as const;
  }

  const balanceOf = (address: Address) =>
    chain.publicClient.readContract({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address],
    });

  it('starts quickly with the token at its fixed address and the accounts funded', async () => {
    process.stdout.write(`dev chain started in ${chain.startupMs.toFixed(0)} ms (first start in this process)\n`);
    expect(chain.startupMs).toBeLessThan(5000);
    expect(chain.chainId).toBe(31337);
    expect(chain.network).toBe('eip155:31337');
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(chain.token.address).toBe(DEV_TOKEN_ADDRESS);
    expect(await chain.publicClient.getChainId()).toBe(31337);

    const all = [chain.deployer, ...chain.facilitatorSigners, ...chain.providers, ...chain.buyers];
    expect(new Set(all.map((a) => a.address)).size).toBe(13);
    expect(all.map((a) => a.hdIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(chain.deployer.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    for (const s of chain.facilitatorSigners) {
      expect(await chain.publicClient.getBalance({ address: s.address })).toBe(DEV_CHAIN_FUNDING.facilitatorSignerEth);
    }
    for (const p of chain.providers) {
      expect(await chain.publicClient.getBalance({ address: p.address })).toBe(DEV_CHAIN_FUNDING.providerEth);
      expect(await balanceOf(p.address)).toBe(DEV_CHAIN_FUNDING.providerUsdc);
    }
    for (const b of chain.buyers) {
      expect(await chain.publicClient.getBalance({ address: b.address })).toBe(0n);
      expect(await balanceOf(b.address)).toBe(DEV_CHAIN_FUNDING.buyerUsdc);
    }
  });

  it('serves token metadata over the HTTP rpcUrl', async () => {
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    const read = <F extends 'name' | 'symbol' | 'decimals' | 'version' | 'DOMAIN_SEPARATOR' | 'owner'>(
      functionName: F,
    ) => client.readContract({ address: chain.token.address, abi: TEST_USDC_ABI, functionName });
    expect(await client.getChainId()).toBe(31337);
    expect(await read('name')).toBe('USD Coin');
    expect(await read('symbol')).toBe('USDC');
    expect(await read('decimals')).toBe(6);
    expect(await read('version')).toBe('2');
    expect(await read('owner')).toBe(chain.deployer.address);
    expect(chain.token).toEqual({
      address: DEV_TOKEN_ADDRESS,
      name: 'USD Coin',
      symbol: 'USDC',
      decimals: 6,
      version: '2',
    });
    expect(await read('DOMAIN_SEPARATOR')).toBe(
      hashDomain({
        domain: { name: 'USD Coin', version: '2', chainId: 31337n, verifyingContract: chain.token.address },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    );
  });

  it('settles an EIP-3009 authorization signed by a buyer holding 0 ETH, once', async () => {
    const buyer = privateKeyToAccount(chain.buyers[0].privateKey);
    const payTo = chain.providers[0].address;
    const facilitator = chain.walletClientFor(chain.facilitatorSigners[0]);
    const auth = authorizationFor(buyer, payTo, 1_250_000n);
    const signature = await signAuthorization(buyer, auth);
    const [buyerBefore, payToBefore] = [await balanceOf(buyer.address), await balanceOf(payTo)];

    const hash = await facilitator.writeContract({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'transferWithAuthorization',
      args: vrsArgs(auth, signature),
    });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    expect(receipt.from.toLowerCase()).toBe(chain.facilitatorSigners[0].address.toLowerCase());

    expect(await balanceOf(buyer.address)).toBe(buyerBefore - 1_250_000n);
    expect(await balanceOf(payTo)).toBe(payToBefore + 1_250_000n);
    expect(await chain.publicClient.getBalance({ address: buyer.address })).toBe(0n);
    expect(
      await chain.publicClient.readContract({
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'authorizationState',
        args: [buyer.address, auth.nonce],
      }),
    ).toBe(true);
    const events = await chain.publicClient.getContractEvents({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      blockHash: receipt.blockHash,
    });
    expect(events.map((e) => e.eventName)).toEqual(['AuthorizationUsed', 'Transfer']);

    // The same nonce again: viem surfaces the contract's reason, in simulation, in a forced send, and over HTTP.
    const replay = {
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'transferWithAuthorization',
      args: vrsArgs(auth, signature),
    } as const;
    await expectRevert(
      chain.publicClient.simulateContract({ ...replay, account: facilitator.account }),
      'FiatTokenV2: authorization is used or canceled',
    );
    await expectRevert(
      facilitator.writeContract({ ...replay, gas: 200_000n }),
      'FiatTokenV2: authorization is used or canceled',
    );
    const overHttp = createPublicClient({ transport: http(chain.rpcUrl) });
    await expectRevert(
      overHttp.simulateContract({ ...replay, account: facilitator.account }),
      'FiatTokenV2: authorization is used or canceled',
    );
    expect(await balanceOf(payTo)).toBe(payToBefore + 1_250_000n);
  });

  it('rejects a tampered value with invalid signature', async () => {
    const buyer = privateKeyToAccount(chain.buyers[1].privateKey);
    const auth = authorizationFor(buyer, chain.providers[1].address, 1_000_000n);
    const signature = await signAuthorization(buyer, auth);
    const tampered = { ...auth, value: 2_000_000n };
    const facilitator = chain.walletClientFor(chain.facilitatorSigners[1]);
    await expectRevert(
      chain.publicClient.simulateContract({
        account: facilitator.account,
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: vrsArgs(tampered, signature),
      }),
      'FiatTokenV2: invalid signature',
    );
    // The untampered authorization is still usable.
    await expect(
      chain.publicClient.simulateContract({
        account: facilitator.account,
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: vrsArgs(auth, signature),
      }),
    ).resolves.toBeDefined();
  });

  it('rejects expired, not-yet-valid and wrong-caller authorizations with USDC reasons', async () => {
    const buyer = privateKeyToAccount(chain.buyers[2].privateKey);
    const facilitator = chain.walletClientFor(chain.facilitatorSigners[2]);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const simulate = async (auth: Authorization) =>
      chain.publicClient.simulateContract({
        account: facilitator.account,
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: vrsArgs(auth, await signAuthorization(buyer, auth)),
      });
    const base = authorizationFor(buyer, chain.providers[2].address, 10n);
    await expectRevert(simulate({ ...base, validBefore: now - 10n }), 'FiatTokenV2: authorization is expired');
    await expectRevert(simulate({ ...base, validAfter: now + 3600n }), 'FiatTokenV2: authorization is not yet valid');
    await expectRevert(
      chain.publicClient.simulateContract({
        account: facilitator.account,
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'receiveWithAuthorization',
        args: vrsArgs(base, await signAuthorization(buyer, base)),
      }),
      'FiatTokenV2: caller must be the payee',
    );
  });

  it('settles a payment from an ERC-1271 smart wallet through the bytes overload', async () => {
    const owner = privateKeyToAccount(chain.buyers[3].privateKey);
    const wallet = await chain.deploySmartWallet(owner.address);
    await chain.mintUsdc(wallet, 5_000_000n);
    const payTo = chain.providers[0].address;
    const payToBefore = await balanceOf(payTo);
    const facilitator = chain.walletClientFor(chain.facilitatorSigners[3]);

    // The wallet accepts its owner's signature over the EIP-712 digest of a message whose `from` is the wallet.
    const auth = authorizationFor({ address: wallet }, payTo, 3_000_000n);
    const signature = await signAuthorization(owner, auth);
    const bytesArgs = (sig: Hex) =>
      [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce, sig] as const;

    // A stranger's signature is refused by the wallet, hence by the token.
    const stranger = privateKeyToAccount(chain.buyers[4].privateKey);
    const strangerSig = await signAuthorization(stranger, auth);
    await expectRevert(
      chain.publicClient.simulateContract({
        account: facilitator.account,
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: bytesArgs(strangerSig),
      }),
      'FiatTokenV2: invalid signature',
    );

    const hash = await facilitator.writeContract({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'transferWithAuthorization',
      args: bytesArgs(signature),
    });
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    expect(await balanceOf(wallet)).toBe(2_000_000n);
    expect(await balanceOf(payTo)).toBe(payToBefore + 3_000_000n);
    expect(
      await chain.publicClient.readContract({
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'authorizationState',
        args: [wallet, auth.nonce],
      }),
    ).toBe(true);
  });

  it('lets a smart wallet owner execute calls through the wallet', async () => {
    const owner = chain.providers[1]; // has ETH for gas
    const wallet = await chain.deploySmartWallet(owner.address);
    await chain.mintUsdc(wallet, 700n);
    const ownerClient = chain.walletClientFor(owner);
    const hash = await ownerClient.writeContract({
      address: wallet,
      abi: TEST_SMART_WALLET_ABI,
      functionName: 'execute',
      args: [
        chain.token.address,
        0n,
        encodeFunctionData({ abi: TEST_USDC_ABI, functionName: 'transfer', args: [chain.providers[2].address, 700n] }),
      ],
    });
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    expect(await balanceOf(wallet)).toBe(0n);

    const stranger = chain.walletClientFor(chain.facilitatorSigners[0]);
    await expectRevert(
      chain.publicClient.simulateContract({
        account: stranger.account,
        address: wallet,
        abi: TEST_SMART_WALLET_ABI,
        functionName: 'execute',
        args: [chain.token.address, 0n, '0x'],
      }),
      'TestSmartWallet: caller is not the owner',
    );
  });

  it('has a Multicall3 at the canonical address (viem multicall and the SDK tryAggregate)', async () => {
    expect(chain.multicall3Address).toBe(MULTICALL3_ADDRESS);
    expect(await chain.publicClient.getCode({ address: MULTICALL3_ADDRESS })).toBe(DEV_MULTICALL3_DEPLOYED_BYTECODE);
    const token = { address: chain.token.address, abi: TEST_USDC_ABI } as const;
    const results = await chain.publicClient.multicall({
      contracts: [
        { ...token, functionName: 'name' },
        { ...token, functionName: 'version' },
        { ...token, functionName: 'balanceOf', args: [chain.buyers[4].address] },
      ],
      allowFailure: false,
    });
    expect(results).toEqual(['USD Coin', '2', DEV_CHAIN_FUNDING.buyerUsdc]);
    // tryAggregate is payable (as in Multicall3), so it is eth_call'ed through simulateContract
    const { result: tried } = await chain.publicClient.simulateContract({
      address: MULTICALL3_ADDRESS,
      abi: DEV_MULTICALL3_ABI,
      functionName: 'tryAggregate',
      args: [
        false,
        [
          {
            target: chain.token.address,
            callData: encodeFunctionData({ abi: TEST_USDC_ABI, functionName: 'version' }),
          },
          { target: chain.token.address, callData: '0xdeadbeef' },
        ],
      ],
    });
    expect(tried.map((r) => r.success)).toEqual([true, false]);
  });

  it('answers JSON-RPC batches over HTTP, in order, with per-request errors', async () => {
    const balanceCall = encodeFunctionData({
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [chain.buyers[4].address],
    });
    const res = await fetch(chain.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        {
          jsonrpc: '2.0',
          id: 'two',
          method: 'eth_call',
          params: [{ to: chain.token.address, data: balanceCall }, 'latest'],
        },
        { jsonrpc: '2.0', id: 3, method: 'no_such_method', params: [] },
        { jsonrpc: '2.0', method: 'eth_blockNumber', params: [] }, // notification: no response
        { jsonrpc: '2.0', id: 4, method: 'eth_blockNumber', params: [] },
      ]),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: unknown; result?: string; error?: { code: number; message: string } }[];
    expect(body.map((r) => r.id)).toEqual([1, 'two', 3, 4]);
    expect(body[0].result).toBe('0x7a69');
    expect(BigInt(body[1].result as string)).toBe(DEV_CHAIN_FUNDING.buyerUsdc);
    expect(body[2].error?.code).toEqual(expect.any(Number));
    expect(body[2].result).toBeUndefined();
    expect(BigInt(body[3].result as string)).toBeGreaterThan(0n);

    const tooBig = await fetch(chain.rpcUrl, { method: 'POST', body: 'x'.repeat(11 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
    const get = await fetch(chain.rpcUrl);
    expect(get.status).toBe(405);
  });

  it('settles 50 payments in process and 50 over HTTP (latency, median)', async () => {
    const buyer = privateKeyToAccount(chain.buyers[4].privateKey);
    const payTo = chain.providers[2].address;
    const signerKey = chain.facilitatorSigners[3].privateKey;
    const inProcess = chain.walletClientFor(chain.facilitatorSigners[3]);
    const overHttp = createWalletClient({
      account: privateKeyToAccount(signerKey),
      chain: chain.chain,
      transport: http(chain.rpcUrl),
      pollingInterval: 20,
    });
    const httpPublic = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 20 });
    const payToBefore = await balanceOf(payTo);
    const runs = 50;

    const settle = async (
      wallet: typeof inProcess | typeof overHttp,
      reader: typeof chain.publicClient | typeof httpPublic,
    ): Promise<number> => {
      const auth = authorizationFor(buyer, payTo, 1_000n);
      const signature = await signAuthorization(buyer, auth);
      const t0 = performance.now();
      const hash = await wallet.writeContract({
        address: chain.token.address,
        abi: TEST_USDC_ABI,
        functionName: 'transferWithAuthorization',
        args: vrsArgs(auth, signature),
      });
      const receipt = await reader.waitForTransactionReceipt({ hash });
      const ms = performance.now() - t0;
      expect(receipt.status).toBe('success');
      return ms;
    };

    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < runs; i++) local.push(await settle(inProcess, chain.publicClient));
    for (let i = 0; i < runs; i++) remote.push(await settle(overHttp, httpPublic));
    expect(await balanceOf(payTo)).toBe(payToBefore + BigInt(2 * runs) * 1_000n);
    process.stdout.write(
      `transferWithAuthorization (writeContract + receipt), median of ${runs}: in-process ${median(local).toFixed(1)} ms, ` +
        `HTTP ${median(remote).toFixed(1)} ms\n`,
    );
    expect(median(local)).toBeLessThan(1000);
    expect(median(remote)).toBeLessThan(1000);
  });
});

describe('dev chain lifecycle', () => {
  it('mines blocks on an interval when blockTimeMs is set', async () => {
    const chain = await startDevChain({ rpcPort: 0, blockTimeMs: 300 });
    try {
      const start = await chain.publicClient.getBlockNumber();
      // automine is off: a transaction waits for the next interval block
      const facilitator = chain.walletClientFor(chain.facilitatorSigners[0]);
      const hash = await facilitator.sendTransaction({ to: chain.providers[0].address, value: 1n });
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, timeout: 5_000 });
      expect(receipt.status).toBe('success');
      const deadline = Date.now() + 5_000;
      let now = await chain.publicClient.getBlockNumber();
      while (now < start + 3n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        now = await chain.publicClient.getBlockNumber();
      }
      expect(now).toBeGreaterThanOrEqual(start + 3n);
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(block.transactions.length).toBeGreaterThanOrEqual(1);
    } finally {
      await chain.close();
    }
  });

  it('frees its port on close and reports a busy port', async () => {
    const chain = await startDevChain({ rpcPort: 0 });
    const { rpcPort, rpcUrl } = chain;
    process.stdout.write(`dev chain started in ${chain.startupMs.toFixed(0)} ms (warm)\n`);
    await chain.close();
    await chain.close(); // idempotent
    await expect(fetch(rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow();

    const blocker = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(rpcPort, '127.0.0.1', () => resolve());
    });
    try {
      // the port was released: we could bind it; now a chain asking for it fails with RPC_PORT_IN_USE
      await expect(startDevChain({ rpcPort })).rejects.toMatchObject({ code: DevChainErrorCode.RPC_PORT_IN_USE });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
