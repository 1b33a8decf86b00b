import type { DaemonConfig } from '@x402-ledger/config';
import type { DevChain } from '@x402-ledger/evm';

/** What GET /dev returns and the start banner prints (dev mode only; contains dev-only private keys). */
export interface DevInfo {
  mode: 'dev';
  /** The daemon's own process id (tests and tools signal it directly; `npm start` is its parent). */
  pid: number;
  network: string;
  chainId: number;
  rpcUrl: string;
  asset: { address: string; name: string; version: string; decimals: number; symbol: string };
  facilitatorUrl: string;
  graphqlUrl: string;
  adminApiKey: string;
  dataDir: string;
  eventLogUrl: string;
  clickhouseUrl: string;
  facilitatorSigners: string[];
  buyers: { address: string; privateKey: string }[];
  providers: { address: string; privateKey: string }[];
}

export const DEV_INFO = Symbol('DEV_INFO');

export function buildDevInfo(config: DaemonConfig, chain: DevChain, baseUrl: string): DevInfo {
  return {
    mode: 'dev',
    pid: process.pid,
    network: chain.network,
    chainId: chain.chainId,
    rpcUrl: chain.rpcUrl,
    asset: { ...chain.token },
    facilitatorUrl: baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    adminApiKey: config.adminApiKey ?? '',
    dataDir: config.dataDir,
    eventLogUrl: config.eventLogUrl,
    clickhouseUrl: config.clickhouseUrl,
    facilitatorSigners: chain.facilitatorSigners.map((s) => s.address),
    buyers: chain.buyers.map(({ address, privateKey }) => ({ address, privateKey })),
    providers: chain.providers.map(({ address, privateKey }) => ({ address, privateKey })),
  };
}

export function banner(info: DevInfo): string {
  const line = '─'.repeat(78);
  const rows = [
    line,
    ' x402 ledger — daemon (dev mode, embedded: event log, chDB, dev chain)',
    line,
    ` facilitator   ${info.facilitatorUrl}   (POST /verify /settle, GET /supported)`,
    ` GraphQL       ${info.graphqlUrl}`,
    ` health        ${info.facilitatorUrl}/health/ready    metrics ${info.facilitatorUrl}/metrics`,
    ` dev info      ${info.facilitatorUrl}/dev   (this banner as JSON)`,
    ` chain         ${info.network} (chainId ${info.chainId})   RPC ${info.rpcUrl}`,
    ` token         ${info.asset.symbol} "${info.asset.name}" v${info.asset.version}, ${info.asset.decimals} decimals at ${info.asset.address}`,
    ` data          ${info.dataDir}`,
    ` admin API key ${info.adminApiKey}`,
    ' buyers (dev keys — never use on a real chain):',
    ...info.buyers.map((b) => `   ${b.address}  ${b.privateKey}`),
    ' providers (payTo wallets, funded for refunds):',
    ...info.providers.map((p) => `   ${p.address}  ${p.privateKey}`),
    ' The dev chain starts fresh on every start (in-memory); the ledger in the data folder is kept.',
    line,
  ];
  return `${rows.join('\n')}\n`;
}
