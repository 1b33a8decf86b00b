import { HTTPFacilitatorClient } from '@x402/core/server';
import {
  devChainNetwork,
  signEip3009Request,
  startDevChain,
  TEST_SMART_WALLET_ABI,
  TEST_SMART_WALLET_BYTECODE,
  TEST_USDC_ABI,
  type DevChain,
} from '@x402-ledger/evm';
import {
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  serializeErc6492Signature,
  type Address,
  type Hex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { officialFacilitator } from './support/official-facilitator';
import { startFacilitatorApp, type FacilitatorApp } from './support/facilitator-app';

/** A CREATE2 deployer: the ERC-6492 "factory" whose calldata deploys the wallet at a predictable address. */
const FACTORY_SOURCE = `// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;
contract Create2Factory {
    function deploy(bytes32 salt, bytes calldata initcode) external returns (address a) {
        bytes memory c = initcode;
        assembly { a := create2(0, add(c, 32), mload(c), salt) }
        require(a != address(0), "deploy failed");
    }
}`;
const FACTORY_ABI = [
  {
    type: 'function',
    name: 'deploy',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'salt', type: 'bytes32' },
      { name: 'initcode', type: 'bytes' },
    ],
    outputs: [{ name: 'a', type: 'address' }],
  },
] as const;

function compileFactory(): Hex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'F.sol': { content: FACTORY_SOURCE } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
        },
      }),
    ),
  ) as { contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>> };
  return `0x${out.contracts['F.sol'].Create2Factory.evm.bytecode.object}`;
}

describe('ERC-6492 counterfactual wallets (allow-listed factory)', () => {
  let dev: DevChain;
  let fac: FacilitatorApp;
  let factory: Address;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    const deployer = dev.walletClientFor(dev.deployer);
    const hash = await deployer.deployContract({ abi: FACTORY_ABI, bytecode: compileFactory() });
    factory = (await dev.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
    fac = await startFacilitatorApp({ networks: [devChainNetwork(dev, { eip6492AllowedFactories: [factory] })] });
  });
  afterAll(async () => {
    await fac?.close();
    await dev?.close();
  });

  it('verifies like the official facilitator, then deploys the wallet and settles from it', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const salt = `0x${'07'.repeat(32)}` as Hex;
    const initcode = encodeDeployData({
      abi: TEST_SMART_WALLET_ABI,
      bytecode: TEST_SMART_WALLET_BYTECODE,
      args: [owner.address],
    });
    const wallet = getContractAddress({ opcode: 'CREATE2', from: factory, salt, bytecode: initcode });
    await dev.mintUsdc(wallet, 50_000n);
    expect(await dev.publicClient.getCode({ address: wallet })).toBeUndefined();

    const request = await signEip3009Request({
      account: owner,
      chainId: dev.chainId,
      authorization: { from: wallet },
      requirements: {
        scheme: 'exact',
        network: dev.network,
        amount: '1234',
        asset: dev.token.address,
        payTo: dev.providers[0].address,
        maxTimeoutSeconds: 300,
        extra: { name: dev.token.name, version: dev.token.version },
      },
    });
    const payload = request.paymentPayload.payload as { signature: Hex };
    payload.signature = serializeErc6492Signature({
      address: factory,
      data: encodeFunctionData({ abi: FACTORY_ABI, functionName: 'deploy', args: [salt, initcode] }),
      signature: payload.signature,
    });

    const official = officialFacilitator({
      rpcUrl: dev.rpcUrl,
      chain: dev.chain,
      network: dev.network,
      privateKey: dev.facilitatorSigners[3].privateKey,
      eip6492AllowedFactories: [factory],
    });
    const theirs = await official.verify(request.paymentPayload as never, request.paymentRequirements as never);
    const client = new HTTPFacilitatorClient({ url: fac.url });
    const ours = await client.verify(request.paymentPayload as never, request.paymentRequirements as never);
    expect(theirs).toMatchObject({ isValid: true });
    expect(ours).toMatchObject({ isValid: true, payer: wallet });

    const settled = await client.settle(request.paymentPayload as never, request.paymentRequirements as never);
    expect(settled).toMatchObject({ success: true });
    expect(await dev.publicClient.getCode({ address: wallet })).toMatch(/^0x[0-9a-f]{10,}/);
    const balance = await dev.publicClient.readContract({
      address: dev.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [wallet],
    });
    expect(balance).toBe(50_000n - 1234n);
  });

  it('refuses a factory that is not allow-listed, like the official facilitator', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const request = await signEip3009Request({
      account: owner,
      chainId: dev.chainId,
      authorization: { from: privateKeyToAccount(generatePrivateKey()).address },
      requirements: {
        scheme: 'exact',
        network: dev.network,
        amount: '1',
        asset: dev.token.address,
        payTo: dev.providers[0].address,
        maxTimeoutSeconds: 300,
        extra: { name: dev.token.name, version: dev.token.version },
      },
    });
    const payload = request.paymentPayload.payload as { signature: Hex };
    payload.signature = serializeErc6492Signature({
      address: dev.providers[2].address,
      data: '0x1234',
      signature: payload.signature,
    });
    const ours = await new HTTPFacilitatorClient({ url: fac.url }).verify(
      request.paymentPayload as never,
      request.paymentRequirements as never,
    );
    expect(ours).toMatchObject({ isValid: false, invalidReason: 'eip6492_factory_not_allowed' });
  });
});
