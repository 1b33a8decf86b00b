import { runMain } from '@x402-ledger/runtime';
import { CliUsageError, intOption, parseArgs } from './cli-args';
import { authorizeRefund } from './commands/refund-commands';

const USAGE = `usage: npm run refunds -- authorize --refund <refundId> --key-file <payTo key file> [--execute]
           [--api http://127.0.0.1:4020] [--rpc <JSON-RPC URL>] [--valid-for SECONDS]
  Signs an EIP-3009 refund authorization with the payTo wallet (offline; the key is read from the file and never
  printed) for an APPROVED refund and prints it; --execute hands it to the daemon (GraphQL executeRefund), whose
  facilitator signer submits it and pays the gas. The API key comes from X402_API_KEY (a provider key of the tenant).`;

runMain(async () => {
  const [command, ...rest] = process.argv.slice(2);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let code = 0;
  try {
    if (command !== 'authorize') throw new CliUsageError(command ? `unknown command ${command}` : 'no command');
    const args = parseArgs(rest, {
      refund: 'value',
      'key-file': 'value',
      api: 'value',
      rpc: 'value',
      'valid-for': 'value',
      execute: 'flag',
    });
    const refundId = args.options.get('refund');
    const keyFile = args.options.get('key-file');
    if (typeof refundId !== 'string' || !/^[0-9a-f]{64}$/.test(refundId))
      throw new CliUsageError('--refund must be a 64-character hex refund id');
    if (typeof keyFile !== 'string') throw new CliUsageError('--key-file is required');
    const apiKey = process.env.X402_API_KEY;
    if (!apiKey) throw new CliUsageError('set X402_API_KEY to a provider API key');
    const validFor = intOption(args, 'valid-for', 3600);
    if (validFor < 60 || validFor > 7 * 24 * 3600) throw new CliUsageError('--valid-for must be 60..604800 seconds');
    code = await authorizeRefund(
      {
        api: (args.options.get('api') as string | undefined) ?? 'http://127.0.0.1:4020',
        apiKey,
        refundId,
        keyFile,
        rpcUrl: args.options.get('rpc') as string | undefined,
        validForSeconds: validFor,
        execute: args.options.get('execute') === true,
      },
      out,
    );
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    code = 2;
  }
  process.exit(code);
});
