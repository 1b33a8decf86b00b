export enum ConfigErrorCode {
  INVALID_ENVIRONMENT = 'INVALID_ENVIRONMENT',
  UNREADABLE_SECRET_FILE = 'UNREADABLE_SECRET_FILE',
}

/** Thrown once at start when the environment does not validate; the message lists every problem. */
export class ConfigException extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    readonly problems: string[],
  ) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ConfigException';
  }
}
