import { randomBytes } from 'node:crypto';
import {
  BaseError,
  ContractFunctionRevertedError,
  concat,
  numberToHex,
  parseSignature,
  toHex,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { TEST_USDC_ABI, startDevChain, type DevChain } from '@x402-ledger/evm';

// secp256k1 group order: (r, n - s, v ^ 1) is the malleable twin of a valid signature (r, s, v).
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const AUTH_FIELDS = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const;

interface Authorization {
  from: Address;
  to: Address;
  value: bigint;
  validAfter: bigint;
  validBefore: bigint;
  nonce: Hex;
}

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

describe('TestUSDC contract semantics (EIP-20, EIP-712, EIP-3009 as USDC FiatTokenV2 behaves)', () => {
  let chain: DevChain;
  const token = () => ({ address: chain.token.address, abi: TEST_USDC_ABI }) as const;
  const domain = () =>
    ({ name: 'USD Coin', version: '2', chainId: chain.chainId, verifyingContract: chain.token.address }) as const;

  beforeAll(async () => {
    chain = await startDevChain({ rpcPort: 0 });
  });
  afterAll(async () => {
    await chain?.close();
  });

  const balanceOf = (address: Address) =>
    chain.publicClient.readContract({ ...token(), functionName: 'balanceOf', args: [address] });

  function authorization(from: Address, to: Address, value: bigint): Authorization {
    const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3600);
    return { from, to, value, validAfter: 0n, validBefore, nonce: toHex(randomBytes(32)) };
  }

  const signTransfer = (signer: LocalAccount, auth: Authorization) =>
    signer.signTypedData({
      domain: domain(),
      types: { TransferWithAuthorization: AUTH_FIELDS },
      primaryType: 'TransferWithAuthorization',
      message: auth,
    });

  const signReceive = (signer: LocalAccount, auth: Authorization) =>
    signer.signTypedData({
      domain: domain(),
      types: { ReceiveWithAuthorization: AUTH_FIELDS },
      primaryType: 'ReceiveWithAuthorization',
      message: auth,
    });

  const authArgs = (a: Authorization) => [a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce] as const;

  /** Simulates the bytes overload from a facilitator signer. */
  const simulateBytes = (auth: Authorization, signature: Hex) =>
    chain.publicClient.simulateContract({
      ...token(),
      account: chain.facilitatorSigners[0].address,
      functionName: 'transferWithAuthorization',
      args: [...authArgs(auth), signature],
    });

  it('rejects malleable (high-s) signatures and v outside {27, 28}, accepts the canonical one', async () => {
    const buyer = privateKeyToAccount(chain.buyers[0].privateKey);
    const auth = authorization(buyer.address, chain.providers[0].address, 5n);
    const signature = await signTransfer(buyer, auth);
    const { r, s, v } = parseSignature(signature);
    if (v === undefined) throw new Error('no v');

    const highS = numberToHex(SECP256K1_N - BigInt(s), { size: 32 });
    const flippedV = v === 27n ? 28 : 27;
    await expectRevert(
      simulateBytes(auth, concat([r, highS, numberToHex(flippedV, { size: 1 })])),
      'FiatTokenV2: invalid signature',
    );
    await expectRevert(
      simulateBytes(auth, concat([r, s, numberToHex(Number(v) - 27, { size: 1 })])),
      'FiatTokenV2: invalid signature',
    );
    await expectRevert(simulateBytes(auth, concat([signature, '0x00'])), 'FiatTokenV2: invalid signature');
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: chain.facilitatorSigners[0].address,
        functionName: 'transferWithAuthorization',
        args: [...authArgs(auth), Number(v) - 27, r, s],
      }),
      'FiatTokenV2: invalid signature',
    );
    await expect(simulateBytes(auth, signature)).resolves.toBeDefined();
  });

  it('cancelAuthorization burns a nonce (event, state) and makes the authorization unusable', async () => {
    const buyer = privateKeyToAccount(chain.buyers[1].privateKey);
    const auth = authorization(buyer.address, chain.providers[0].address, 7n);
    const transferSig = await signTransfer(buyer, auth);
    const cancelSig = await buyer.signTypedData({
      domain: domain(),
      types: {
        CancelAuthorization: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'CancelAuthorization',
      message: { authorizer: buyer.address, nonce: auth.nonce },
    });
    const facilitator = chain.walletClientFor(chain.facilitatorSigners[1]);

    // a cancellation signed for another nonce is refused
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: facilitator.account,
        functionName: 'cancelAuthorization',
        args: [buyer.address, toHex(randomBytes(32)), cancelSig],
      }),
      'FiatTokenV2: invalid signature',
    );

    const { v, r, s } = parseSignature(cancelSig);
    const hash = await facilitator.writeContract({
      ...token(),
      functionName: 'cancelAuthorization',
      args: [buyer.address, auth.nonce, Number(v), r, s],
    });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    const events = await chain.publicClient.getContractEvents({ ...token(), blockHash: receipt.blockHash });
    expect(events.map((e) => [e.eventName, e.args])).toEqual([
      ['AuthorizationCanceled', { authorizer: buyer.address, nonce: auth.nonce }],
    ]);
    expect(
      await chain.publicClient.readContract({
        ...token(),
        functionName: 'authorizationState',
        args: [buyer.address, auth.nonce],
      }),
    ).toBe(true);
    await expectRevert(simulateBytes(auth, transferSig), 'FiatTokenV2: authorization is used or canceled');
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: facilitator.account,
        functionName: 'cancelAuthorization',
        args: [buyer.address, auth.nonce, cancelSig],
      }),
      'FiatTokenV2: authorization is used or canceled',
    );
  });

  it('receiveWithAuthorization: only the payee may submit, with a ReceiveWithAuthorization signature', async () => {
    const buyer = privateKeyToAccount(chain.buyers[2].privateKey);
    const payee = chain.providers[1];
    const payeeClient = chain.walletClientFor(payee);
    const auth = authorization(buyer.address, payee.address, 123_456n);
    const receiveSig = await signReceive(buyer, auth);
    const transferSig = await signTransfer(buyer, auth);
    const before = await balanceOf(payee.address);

    // the TransferWithAuthorization signature does not authorize a receive (distinct type hashes)
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: payee.address,
        functionName: 'receiveWithAuthorization',
        args: [...authArgs(auth), transferSig],
      }),
      'FiatTokenV2: invalid signature',
    );
    const hash = await payeeClient.writeContract({
      ...token(),
      functionName: 'receiveWithAuthorization',
      args: [...authArgs(auth), receiveSig],
    });
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    expect(await balanceOf(payee.address)).toBe(before + 123_456n);
  });

  it('refuses an authorization beyond the balance with the ERC-20 reason', async () => {
    const buyer = privateKeyToAccount(chain.buyers[3].privateKey);
    const balance = await balanceOf(buyer.address);
    const auth = authorization(buyer.address, chain.providers[2].address, balance + 1n);
    await expectRevert(simulateBytes(auth, await signTransfer(buyer, auth)), 'ERC20: transfer amount exceeds balance');
  });

  it('ERC-20: transfer, approve, transferFrom, allowance, and owner-only mint', async () => {
    const [alice, bob, carol] = chain.providers;
    const aliceClient = chain.walletClientFor(alice);
    const bobClient = chain.walletClientFor(bob);
    const [a0, b0, c0] = [await balanceOf(alice.address), await balanceOf(bob.address), await balanceOf(carol.address)];

    const wait = async (hash: Hex) =>
      expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    await wait(await aliceClient.writeContract({ ...token(), functionName: 'transfer', args: [bob.address, 10n] }));
    await wait(await aliceClient.writeContract({ ...token(), functionName: 'approve', args: [bob.address, 100n] }));
    expect(
      await chain.publicClient.readContract({
        ...token(),
        functionName: 'allowance',
        args: [alice.address, bob.address],
      }),
    ).toBe(100n);
    await wait(
      await bobClient.writeContract({
        ...token(),
        functionName: 'transferFrom',
        args: [alice.address, carol.address, 60n],
      }),
    );
    expect(
      await chain.publicClient.readContract({
        ...token(),
        functionName: 'allowance',
        args: [alice.address, bob.address],
      }),
    ).toBe(40n);
    expect(await balanceOf(alice.address)).toBe(a0 - 70n);
    expect(await balanceOf(bob.address)).toBe(b0 + 10n);
    expect(await balanceOf(carol.address)).toBe(c0 + 60n);

    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: bob.address,
        functionName: 'transferFrom',
        args: [alice.address, carol.address, 41n],
      }),
      'ERC20: transfer amount exceeds allowance',
    );
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: alice.address,
        functionName: 'transfer',
        args: [bob.address, a0],
      }),
      'ERC20: transfer amount exceeds balance',
    );
    await expectRevert(
      chain.publicClient.simulateContract({
        ...token(),
        account: alice.address,
        functionName: 'mint',
        args: [alice.address, 1n],
      }),
      'TestUSDC: caller is not the owner',
    );
    const supplyBefore = await chain.publicClient.readContract({ ...token(), functionName: 'totalSupply' });
    await chain.mintUsdc(carol.address, 5n);
    expect(await chain.publicClient.readContract({ ...token(), functionName: 'totalSupply' })).toBe(supplyBefore + 5n);
  });

  it('an ERC-1271 wallet is asked strictly: a wrong-length signature is refused without an ECDSA fallback', async () => {
    const owner = privateKeyToAccount(chain.buyers[4].privateKey);
    const wallet = await chain.deploySmartWallet(owner.address);
    await chain.mintUsdc(wallet, 1_000n);
    const auth = authorization(wallet, chain.providers[0].address, 1_000n);
    const good = await signTransfer(owner, auth);
    await expectRevert(simulateBytes(auth, concat([good, '0x00'])), 'FiatTokenV2: invalid signature');
    // the (v,r,s) overload goes through ERC-1271 too
    const { v, r, s } = parseSignature(good);
    await expect(
      chain.publicClient.simulateContract({
        ...token(),
        account: chain.facilitatorSigners[0].address,
        functionName: 'transferWithAuthorization',
        args: [...authArgs(auth), Number(v), r, s],
      }),
    ).resolves.toBeDefined();
  });
});
