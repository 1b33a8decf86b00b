export enum NetworksErrorCode {
  INVALID_NETWORKS_FILE = 'INVALID_NETWORKS_FILE',
  UNREADABLE_FILE = 'UNREADABLE_FILE',
  INVALID_ENVIRONMENT = 'INVALID_ENVIRONMENT',
}

/** Thrown once at start; `problems` lists every problem found (never a secret value). */
export class NetworksException extends Error {
  constructor(
    readonly code: NetworksErrorCode,
    readonly problems: string[],
  ) {
    super(`Invalid network configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'NetworksException';
  }
}
