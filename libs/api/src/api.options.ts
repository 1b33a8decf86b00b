import type { PersistedQueryManifest } from './limits/persisted-queries';

export interface ApiLimits {
  /** Deepest field nesting allowed (default 10; introspection fields do not count). */
  maxDepth: number;
  /** Highest estimated cost allowed (default 10000; a connection costs `first` × its children). */
  maxComplexity: number;
  /** Largest `first` of any connection (default 100). */
  maxPageSize: number;
  /** `first` when omitted (default 20). */
  defaultPageSize: number;
  /** Per caller (API key, wallet, admin; client IP when anonymous). */
  rateLimit: { perSecond: number; burst: number };
}

/**
 * Options of ApiModule.forRoot. The refund/dispute mutations are not configured here: they run on the `RefundWorkflow`
 * and `DisputeWorkflow` ports, which the composition root binds as global providers (the daemon: the refunds lib's
 * PaymentWorkflowAdapter, the one writer per payment). Where none is bound they answer NOT_AVAILABLE.
 */
export interface ApiModuleOptions {
  /** `dev` enables introspection and the landing page; `production` disables both. */
  mode: 'dev' | 'production';
  /** HTTP path of the endpoint (and of graphql-ws subscriptions), default `/graphql`. */
  path?: string;
  limits?: Partial<ApiLimits>;
  /**
   * `apq` (default): automatic persisted queries. `allow-list`: only the manifest's operations run (production);
   * give the manifest inline or as a file (Apollo persisted-query manifest format or `{sha256: text}`).
   */
  persistedQueries?: { mode: 'apq' } | { mode: 'allow-list'; manifest?: PersistedQueryManifest; manifestFile?: string };
  /** Block explorer base URLs by CAIP-2 network (adds to / overrides the built-in ones). */
  explorers?: Record<string, string>;
  /**
   * Reuse read results while the analytics data they came from is unchanged (default true; see CachedReads in
   * libs/analytics). `false` sends every read to ClickHouse.
   */
  readCache?: boolean;
  /** graphql-ws subscriptions (default true). */
  subscriptions?: boolean;
  /** Default answer deadline of a new dispute (default 7 days). */
  disputeResponseDays?: number;
}

export const API_OPTIONS = Symbol('API_OPTIONS');

export const DEFAULT_LIMITS: ApiLimits = {
  maxDepth: 10,
  maxComplexity: 10_000,
  maxPageSize: 100,
  defaultPageSize: 20,
  rateLimit: { perSecond: 50, burst: 100 },
};

export function resolveLimits(options: ApiModuleOptions): ApiLimits {
  return {
    ...DEFAULT_LIMITS,
    ...options.limits,
    rateLimit: { ...DEFAULT_LIMITS.rateLimit, ...options.limits?.rateLimit },
  };
}
