/** Minimal argv parsing: positionals and `--flag value` / `--flag` options. Unknown flags are an error. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export class CliUsageError extends Error {}

export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const kind = known[name];
    if (!kind) throw new CliUsageError(`unknown option --${name}`);
    if (kind === 'flag') options.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`--${name} needs a value`);
      options.set(name, value);
    }
  }
  return { positionals, options };
}

export function intOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliUsageError(`--${name} must be a non-negative integer`);
  return n;
}
