import { authorizationTypes, eip3009ABI, x402ExactPermit2ProxyABI } from '@x402/evm';
import {
  decodeFunctionData,
  encodeAbiParameters,
  pad,
  parseTransaction,
  recoverTransactionAddress,
  toEventSelector,
  type TransactionSerialized,
  encodeErrorResult,
  getAddress,
  hashTypedData,
  keccak256,
  recoverAddress,
  toHex,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import { EvmChain, type ChainReceipt, type FeeQuote } from '../chain/evm-chain.port';
import { eip3009DigestFromSeparator } from '../eip3009/eip3009-digest';
import type { Permit2ProbeCheck, Permit2ProbeResult } from '../permit2/permit2-probe';
import type { Eip3009ProbeCheck, Eip3009ProbeResult, ProbeCall } from '../probe/eip3009-probe.codec';

const TRANSFER_TOPIC = toEventSelector('Transfer(address,address,uint256)');
const FAKE_PERMIT2_PROXY = '0x402085c248eea27d92e8b30b2c58ed07f9e20001';

const ERROR_ABI = [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }] as const;
const revert = (message: string): ProbeCall => ({
  success: false,
  data: encodeErrorResult({ abi: ERROR_ABI, errorName: 'Error', args: [message] }),
});
const ok = (types: readonly { type: string }[], values: readonly unknown[]): ProbeCall => ({
  success: true,
  data: encodeAbiParameters(types, values),
});

export interface FakeToken {
  name: string;
  version: string;
  balances: Map<string, bigint>;
  usedNonces: Set<string>;
  /** false: no `authorizationState` (a plain ERC-20). */
  eip3009: boolean;
}

/**
 * An in-memory EvmChain for unit tests: a USDC-like token model (EIP-712 domain, balances, used nonces, time
 * window, ecrecover/ERC-1271) that answers the probe the way Eip3009Probe.sol would, without a chain.
 */
export class FakeEvmChain extends EvmChain {
  readonly network: string;
  readonly tokens = new Map<string, FakeToken>();
  /** address → ERC-1271 owner (a "contract wallet" whose valid signatures are its owner's ECDSA signatures). */
  readonly wallets = new Map<string, Address>();
  /** factory address → wallet it deploys (on a successful factory call). */
  readonly factories = new Map<string, { wallet: Address; owner: Address }>();
  chainTime = BigInt(Math.floor(Date.now() / 1000));
  probeCalls = 0;
  sent: Hex[] = [];
  receipts = new Map<string, ChainReceipt>();
  nonces = new Map<string, number>();
  /** Permit2 model: whether the x402 proxy is deployed, owner→token allowances to Permit2, used Permit2 nonces. */
  permit2 = {
    proxyDeployed: true,
    allowances: new Map<string, bigint>(),
    usedNonces: new Set<string>(),
  };
  permit2ProbeCalls = 0;

  constructor(readonly chainId = 31337) {
    super();
    this.network = `eip155:${chainId}`;
  }

  addToken(address: Address, token: Partial<FakeToken> = {}): FakeToken {
    const t: FakeToken = {
      name: 'USD Coin',
      version: '2',
      balances: new Map(),
      usedNonces: new Set(),
      eip3009: true,
      ...token,
    };
    this.tokens.set(address.toLowerCase(), t);
    return t;
  }

  async probeEip3009(c: Eip3009ProbeCheck): Promise<Eip3009ProbeResult> {
    this.probeCalls++;
    const token = this.tokens.get(c.token.toLowerCase());
    const fromKey = c.from.toLowerCase();
    const payerIsContract = this.wallets.has(fromKey);
    const result: Eip3009ProbeResult = {
      payerCodeSize: payerIsContract ? 100 : 0,
      tokenCodeSize: token ? 1000 : 0,
      signatureValid: false,
      simulation: { success: true, data: '0x' },
      balanceOf: { success: true, data: '0x' },
      name: { success: true, data: '0x' },
      version: { success: true, data: '0x' },
      authorizationState: { success: true, data: '0x' },
    };
    const digest = c.domainSeparator ? eip3009DigestFromSeparator(c.domainSeparator, c) : c.digest;
    if (c.sigMode === 1) result.signatureValid = await this.signatureValid(c.from, digest, c, payerIsContract);
    if (token) {
      result.balanceOf = ok([{ type: 'uint256' }], [token.balances.get(fromKey) ?? 0n]);
      result.name = ok([{ type: 'string' }], [token.name]);
      result.version = ok([{ type: 'string' }], [token.version]);
      result.authorizationState = token.eip3009
        ? ok([{ type: 'bool' }], [token.usedNonces.has(`${fromKey}|${c.nonce.toLowerCase()}`)])
        : { success: false, data: '0x' };
    }
    let deployedHere = false;
    const factory = this.factories.get(c.factory.toLowerCase());
    if (factory && !payerIsContract && factory.wallet.toLowerCase() === fromKey) deployedHere = true;
    if (c.simMode !== 2 && token)
      result.simulation = await this.simulate(
        token,
        c,
        payerIsContract || deployedHere,
        deployedHere ? factory!.owner : undefined,
      );
    return result;
  }

  /** Sets `owner`'s allowance of `token` to Permit2 in the fake's Permit2 model. */
  approvePermit2(token: Address, owner: Address, amount: bigint): void {
    this.permit2.allowances.set(`${token.toLowerCase()}|${owner.toLowerCase()}`, amount);
  }

  async probePermit2(c: Permit2ProbeCheck): Promise<Permit2ProbeResult> {
    this.permit2ProbeCalls++;
    const token = this.tokens.get(c.token.toLowerCase());
    const ownerKey = c.owner.toLowerCase();
    const walletOwner = this.wallets.get(ownerKey);
    const failed: ProbeCall = { success: false, data: '0x' };
    const allowance = this.permit2.allowances.get(`${c.token.toLowerCase()}|${ownerKey}`) ?? 0n;
    const used = (nonce: bigint) => this.permit2.usedNonces.has(`${ownerKey}|${nonce}`);
    let bitmap = 0n;
    for (let bit = 0n; bit < 256n; bit++) if (used(((c.nonce >> 8n) << 8n) | bit)) bitmap |= 1n << bit;
    let recovered: Address | null = null;
    if (c.ecdsa) {
      const sig = `${c.ecdsa.r}${c.ecdsa.s.slice(2)}${c.ecdsa.v.toString(16)}` as Hex;
      recovered = await recoverAddress({ hash: c.digest, signature: sig }).catch(() => null);
    }
    const walletSigValid = walletOwner ? await this.ecdsaMatches(walletOwner, c.digest, c.signature) : false;
    const balance = token?.balances.get(ownerKey) ?? 0n;
    let simulation: ProbeCall = failed;
    if (c.settleCalldata && this.permit2.proxyDeployed) {
      const { args } = decodeFunctionData({ abi: x402ExactPermit2ProxyABI, data: c.settleCalldata });
      const [permit, , witness] = args as unknown as [
        { permitted: { amount: bigint }; nonce: bigint; deadline: bigint },
        Address,
        { to: Address; validAfter: bigint },
      ];
      const sigOk = walletOwner ? walletSigValid : !!recovered && getAddress(recovered) === getAddress(c.owner);
      const reason =
        this.chainTime < witness.validAfter
          ? 'PaymentTooEarly'
          : this.chainTime > permit.deadline
            ? 'SignatureExpired'
            : used(permit.nonce)
              ? 'InvalidNonce'
              : !sigOk
                ? 'InvalidSigner'
                : !token
                  ? 'TransferFailed'
                  : allowance < permit.permitted.amount || balance < permit.permitted.amount
                    ? 'TransferFailed'
                    : null;
      simulation = reason ? revert(reason) : { success: true, data: '0x' };
    }
    return {
      ownerHasCode: !!walletOwner,
      tokenHasCode: !!token,
      proxyPermit2: this.permit2.proxyDeployed
        ? ok([{ type: 'address' }], ['0x000000000022D473030F116dDEE9F6B43aC78BA3'])
        : { success: true, data: '0x' },
      balanceOf: token ? ok([{ type: 'uint256' }], [balance]) : failed,
      allowance: token ? ok([{ type: 'uint256' }], [allowance]) : failed,
      nonceBitmap: ok([{ type: 'uint256' }], [bitmap]),
      ecrecover: recovered ? ok([{ type: 'address' }], [recovered]) : { success: !!c.ecdsa, data: '0x' },
      erc1271: walletOwner
        ? walletSigValid
          ? { success: true, data: `0x1626ba7e${'00'.repeat(28)}` }
          : { success: true, data: `0xffffffff${'00'.repeat(28)}` }
        : { success: true, data: '0x' },
      simulation,
    };
  }

  private async signatureValid(
    from: Address,
    digest: Hex,
    c: Eip3009ProbeCheck,
    isContract: boolean,
    owner?: Address,
  ): Promise<boolean> {
    if (isContract || owner) {
      const signer = owner ?? this.wallets.get(from.toLowerCase())!;
      return this.ecdsaMatches(signer, digest, c.signature);
    }
    if (c.v !== 27 && c.v !== 28) return false;
    return this.ecdsaMatches(from, digest, `${c.r}${c.s.slice(2)}${c.v.toString(16)}` as Hex);
  }

  private async ecdsaMatches(expected: Address, digest: Hex, signature: Hex): Promise<boolean> {
    if (signature.length !== 132) return false;
    try {
      return getAddress(await recoverAddress({ hash: digest, signature })) === getAddress(expected);
    } catch {
      return false;
    }
  }

  private async simulate(
    token: FakeToken,
    c: Eip3009ProbeCheck,
    fromIsContract: boolean,
    owner?: Address,
  ): Promise<ProbeCall> {
    if (!token.eip3009) return { success: false, data: '0x' };
    if (this.chainTime <= c.validAfter) return revert('FiatTokenV2: authorization is not yet valid');
    if (this.chainTime >= c.validBefore) return revert('FiatTokenV2: authorization is expired');
    const key = `${c.from.toLowerCase()}|${c.nonce.toLowerCase()}`;
    if (token.usedNonces.has(key)) return revert('FiatTokenV2: authorization is used or canceled');
    const tokenDigest = hashTypedData({
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      domain: { name: token.name, version: token.version, chainId: this.chainId, verifyingContract: c.token },
      message: {
        from: c.from,
        to: c.to,
        value: c.value,
        validAfter: c.validAfter,
        validBefore: c.validBefore,
        nonce: c.nonce,
      },
    });
    const signature =
      c.simMode === 0 ? (`${c.r}${c.s.slice(2)}${c.simV.toString(16).padStart(2, '0')}` as Hex) : c.signature;
    if (c.simMode === 0 && c.simV !== 27 && c.simV !== 28) return revert("ECRecover: invalid signature 'v' value");
    const signer = fromIsContract ? (owner ?? this.wallets.get(c.from.toLowerCase())) : c.from;
    if (!signer || !(await this.ecdsaMatches(signer, tokenDigest, signature)))
      return revert('FiatTokenV2: invalid signature');
    if ((token.balances.get(c.from.toLowerCase()) ?? 0n) < c.value)
      return revert('ERC20: transfer amount exceeds balance');
    return { success: true, data: '0x' };
  }

  /** When true, a broadcast transaction is mined at once (transfer applied, receipt with logs); else it waits in `mempool`. */
  autoMine = true;
  readonly mempool: Hex[] = [];
  /** Makes the next broadcasts fail with these errors (consumed in order). */
  readonly sendErrors: Error[] = [];
  private block = 1n;
  private readonly senders = new Map<string, Address>();

  async sendRawTransaction(raw: Hex): Promise<Hash> {
    const error = this.sendErrors.shift();
    if (error) throw error;
    this.sent.push(raw);
    const hash = keccak256(raw);
    this.senders.set(raw, await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized }));
    if (this.autoMine) this.mine(raw);
    else this.mempool.push(raw);
    return hash;
  }

  /** Mines every pending transaction. */
  mineAll(): void {
    for (const raw of this.mempool.splice(0)) this.mine(raw);
  }

  private mine(raw: Hex): void {
    const tx = parseTransaction(raw as TransactionSerialized);
    const hash = keccak256(raw);
    const from = this.senders.get(raw)!;
    this.nonces.set(from.toLowerCase(), (this.nonces.get(from.toLowerCase()) ?? 0) + 1);
    const token = tx.to ? this.tokens.get(tx.to.toLowerCase()) : undefined;
    const receipt: ChainReceipt = {
      transactionHash: hash,
      status: 'reverted',
      blockNumber: ++this.block,
      gasUsed: 60_000n,
      effectiveGasPrice: 1_000_000_000n,
      from,
      to: tx.to ?? null,
      logs: [],
    };
    if (tx.to && tx.data && tx.to.toLowerCase() === FAKE_PERMIT2_PROXY && this.permit2.proxyDeployed) {
      this.minePermit2Settle(tx.data, receipt);
    } else if (token && tx.data) {
      try {
        const { args } = decodeFunctionData({ abi: eip3009ABI, data: tx.data });
        const [authFrom, authTo, value, , , nonce] = args as unknown as [Address, Address, bigint, bigint, bigint, Hex];
        const key = `${authFrom.toLowerCase()}|${nonce.toLowerCase()}`;
        const balance = token.balances.get(authFrom.toLowerCase()) ?? 0n;
        if (!token.usedNonces.has(key) && balance >= value) {
          token.usedNonces.add(key);
          token.balances.set(authFrom.toLowerCase(), balance - value);
          token.balances.set(authTo.toLowerCase(), (token.balances.get(authTo.toLowerCase()) ?? 0n) + value);
          receipt.status = 'success';
          receipt.logs = [
            {
              address: tx.to!,
              topics: [TRANSFER_TOPIC, pad(authFrom).toLowerCase() as Hex, pad(authTo).toLowerCase() as Hex],
              data: pad(toHex(value)),
              logIndex: 0,
            },
          ];
        }
      } catch {
        receipt.status = 'reverted';
      }
    }
    this.receipts.set(hash, receipt);
  }

  /** proxy.settle in the fake Permit2 model: nonce, allowance and balance checked, then Transfer(owner, to, amount). */
  private minePermit2Settle(data: Hex, receipt: ChainReceipt): void {
    try {
      const { args } = decodeFunctionData({ abi: x402ExactPermit2ProxyABI, data });
      const [permit, owner, witness] = args as unknown as [
        { permitted: { token: Address; amount: bigint }; nonce: bigint; deadline: bigint },
        Address,
        { to: Address; validAfter: bigint },
      ];
      const token = this.tokens.get(permit.permitted.token.toLowerCase());
      const ownerKey = owner.toLowerCase();
      const nonceKey = `${ownerKey}|${permit.nonce}`;
      const allowanceKey = `${permit.permitted.token.toLowerCase()}|${ownerKey}`;
      const amount = permit.permitted.amount;
      const balance = token?.balances.get(ownerKey) ?? 0n;
      const allowance = this.permit2.allowances.get(allowanceKey) ?? 0n;
      if (!token || this.permit2.usedNonces.has(nonceKey) || balance < amount || allowance < amount) return;
      this.permit2.usedNonces.add(nonceKey);
      token.balances.set(ownerKey, balance - amount);
      const toKey = witness.to.toLowerCase();
      token.balances.set(toKey, (token.balances.get(toKey) ?? 0n) + amount);
      receipt.status = 'success';
      receipt.logs = [
        {
          address: permit.permitted.token,
          topics: [TRANSFER_TOPIC, pad(owner).toLowerCase() as Hex, pad(witness.to).toLowerCase() as Hex],
          data: pad(toHex(amount)),
          logIndex: 0,
        },
      ];
    } catch {
      receipt.status = 'reverted';
    }
  }

  async getTransactionReceipt(hash: Hash): Promise<ChainReceipt | null> {
    return this.receipts.get(hash) ?? null;
  }

  async hasTransaction(hash: Hash): Promise<boolean> {
    return this.sent.some((raw) => keccak256(raw) === hash);
  }

  /** Forgets a pending transaction, as a node that dropped it would. */
  drop(hash: Hash): void {
    const i = this.mempool.findIndex((raw) => keccak256(raw) === hash);
    if (i >= 0) this.mempool.splice(i, 1);
    const j = this.sent.findIndex((raw) => keccak256(raw) === hash);
    if (j >= 0) this.sent.splice(j, 1);
  }

  async getBlockTimestamp(): Promise<bigint> {
    return this.chainTime;
  }

  async getBlockNumber(): Promise<bigint> {
    return 1n;
  }

  async getTransactionCount(address: Address): Promise<number> {
    return this.nonces.get(address.toLowerCase()) ?? 0;
  }

  async estimateFees(): Promise<FeeQuote> {
    return { type: 'eip1559', maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
  }

  async findAuthorizationUsed(): Promise<Hash | null> {
    return null;
  }
}

export const randomNonce = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)));
