/** One dependency that must answer before the process reports ready (event log, ClickHouse, chain, …). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (with a short reason) otherwise. */
  check(): Promise<void>;
}

/** Injection token: the composition root provides the list of checks it wants /health/ready to run. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
