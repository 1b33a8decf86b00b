import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toFunctionSignature } from 'viem';
import {
  DEV_MULTICALL3_ARTIFACT,
  DEV_PERMIT2_ARTIFACT,
  DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT,
  PERMIT2_PROBE_RUNNER_ARTIFACT,
  TEST_TOKEN_ARTIFACT,
  TEST_SMART_WALLET_ARTIFACT,
  TEST_USDC_ABI,
  TEST_USDC_ARTIFACT,
  TEST_USDC_BYTECODE,
  type ContractArtifact,
} from './index';

const root = resolve(__dirname, '../../../..');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Compiled {
  solcVersion: string;
  artifacts: Record<string, ContractArtifact>;
  abiModules: Record<string, string>;
}

describe('committed contract artifacts', () => {
  // One fresh compile of contracts/*.sol by the same script that writes the artifacts, printing instead of writing.
  let compiled: Compiled;
  beforeAll(() => {
    const out = execFileSync(process.execPath, [join(root, 'scripts/build-contracts.mjs'), '--print'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    compiled = JSON.parse(out) as Compiled;
  }, 60_000);

  const cases = [
    { name: 'TestUSDC', source: 'contracts/TestUSDC.sol', abiModule: 'test-usdc.abi.ts', exported: TEST_USDC_ARTIFACT },
    {
      name: 'TestSmartWallet',
      source: 'contracts/TestSmartWallet.sol',
      abiModule: 'test-smart-wallet.abi.ts',
      exported: TEST_SMART_WALLET_ARTIFACT,
    },
    {
      name: 'DevMulticall3',
      source: 'contracts/DevMulticall3.sol',
      abiModule: 'dev-multicall3.abi.ts',
      exported: DEV_MULTICALL3_ARTIFACT,
    },
    {
      name: 'TestToken',
      source: 'contracts/TestToken.sol',
      abiModule: 'test-token.abi.ts',
      exported: TEST_TOKEN_ARTIFACT,
    },
    {
      name: 'DevPermit2',
      source: 'contracts/DevPermit2.sol',
      abiModule: 'dev-permit2.abi.ts',
      exported: DEV_PERMIT2_ARTIFACT,
    },
    {
      name: 'DevX402ExactPermit2Proxy',
      source: 'contracts/DevX402ExactPermit2Proxy.sol',
      abiModule: 'dev-x402-exact-permit2-proxy.abi.ts',
      exported: DEV_X402_EXACT_PERMIT2_PROXY_ARTIFACT,
    },
    {
      name: 'Permit2ProbeRunner',
      source: 'contracts/Permit2ProbeRunner.sol',
      abiModule: 'permit2-probe-runner.abi.ts',
      exported: PERMIT2_PROBE_RUNNER_ARTIFACT,
    },
  ] as const;

  it.each(cases)('$name.artifact.json is current (abi, bytecode, source sha256, solc 0.8.37)', (c) => {
    const committed = JSON.parse(readFileSync(join(__dirname, `${c.name}.artifact.json`), 'utf8')) as ContractArtifact;
    const fresh = compiled.artifacts[c.name];
    expect(fresh.solcVersion).toMatch(/^0\.8\.37\+commit\./);
    expect(committed.sourceSha256).toBe(sha256(readFileSync(join(root, c.source), 'utf8')));
    expect(committed.sourceSha256).toBe(fresh.sourceSha256);
    expect(committed.abi).toEqual(fresh.abi);
    expect(committed.bytecode).toBe(fresh.bytecode);
    expect(committed.deployedBytecode).toBe(fresh.deployedBytecode);
    expect(committed).toEqual(fresh);
    expect(committed.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
  });

  it.each(cases)('$abiModule is current and the exported artifact matches the JSON', (c) => {
    expect(readFileSync(join(__dirname, c.abiModule), 'utf8')).toBe(compiled.abiModules[c.abiModule]);
    const committed = JSON.parse(readFileSync(join(__dirname, `${c.name}.artifact.json`), 'utf8')) as ContractArtifact;
    expect(c.exported).toEqual(committed);
  });

  it('TestUSDC exposes the USDC / EIP-3009 surface', () => {
    expect(TEST_USDC_BYTECODE).toBe(TEST_USDC_ARTIFACT.bytecode);
    const functions = TEST_USDC_ABI.flatMap((x) => (x.type === 'function' ? [toFunctionSignature(x)] : []));
    // event signature with the indexed flags, e.g. Transfer(address indexed,address indexed,uint256)
    const events = TEST_USDC_ABI.flatMap((x) =>
      x.type === 'event'
        ? [`${x.name}(${x.inputs.map((i) => `${i.type}${i.indexed ? ' indexed' : ''}`).join(',')})`]
        : [],
    );
    expect(functions).toEqual(
      expect.arrayContaining([
        'name()',
        'symbol()',
        'decimals()',
        'version()',
        'DOMAIN_SEPARATOR()',
        'totalSupply()',
        'balanceOf(address)',
        'allowance(address,address)',
        'approve(address,uint256)',
        'transfer(address,uint256)',
        'transferFrom(address,address,uint256)',
        'mint(address,uint256)',
        'authorizationState(address,bytes32)',
        'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)',
        'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)',
        'receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)',
        'receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)',
        'cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)',
        'cancelAuthorization(address,bytes32,bytes)',
      ]),
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'Transfer(address indexed,address indexed,uint256)',
        'Approval(address indexed,address indexed,uint256)',
        'AuthorizationUsed(address indexed,bytes32 indexed)',
        'AuthorizationCanceled(address indexed,bytes32 indexed)',
      ]),
    );
  });
});
