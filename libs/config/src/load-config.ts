import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigErrorCode, ConfigException } from './config.exception';

/**
 * Validates the environment against `schema` once and returns one typed object, or throws a ConfigException whose
 * message lists every problem (not only the first). Unknown variables are ignored: the process environment holds many.
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = issue.path.length ? env[String(issue.path[0])] : undefined;
    const shown = value === undefined ? 'missing' : isSecretName(name) ? 'value hidden' : JSON.stringify(value);
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigException(ConfigErrorCode.INVALID_ENVIRONMENT, problems);
}

const SECRET_NAME = /(KEY|SECRET|PASSWORD|TOKEN)/i;
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Reads a secret from `value` or, when absent, from the file named by `file` (trimmed). Never logs the content. */
export function readSecret(value: string | undefined, file: string | undefined, name: string): string | undefined {
  if (value !== undefined) return value;
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigException(ConfigErrorCode.UNREADABLE_SECRET_FILE, [
      `${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}
