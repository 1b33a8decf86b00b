import {
  Global,
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { AnalyticsClient } from '@x402-ledger/analytics';
import { AUTH_LOG_TAIL, Authenticator, EventLogTail } from '@x402-ledger/auth';
import { API_OPTIONS, resolveLimits, type ApiModuleOptions } from './api.options';
import { ContextFactory, rateLimited, type WsExtra } from './graphql/context.factory';
import { createFormatError } from './graphql/error-formatter';
import { X402ApolloDriver, type SchemaRef } from './graphql/x402-apollo.driver';
import { MutationIdempotency } from './idempotency/mutation-idempotency';
import { operationComplexity, tooComplex } from './limits/complexity';
import { complexityPlugin } from './limits/complexity.plugin';
import { depthLimitRule } from './limits/depth-limit.rule';
import {
  allowListPlugin,
  loadManifest,
  ManifestQueryCache,
  sha256Hex,
  type PersistedQueryManifest,
} from './limits/persisted-queries';
import { RateLimiter } from './limits/rate-limiter';
import { PaymentNotifier } from './notifications/payment-notifier';
import { ApiReadModel } from './queries/read-model';
import { UNRESTRICTED } from './queries/read-scope';
import { API_RESOLVERS } from './resolvers';
import { RefundWorkflow } from './workflows/refund-workflow.port';

const SCHEMA_REF = Symbol('API_SCHEMA_REF');

function manifestOf(options: ApiModuleOptions): PersistedQueryManifest | null {
  const pq = options.persistedQueries;
  if (!pq || pq.mode !== 'allow-list') return null;
  if (pq.manifest) return pq.manifest;
  if (pq.manifestFile) return loadManifest(pq.manifestFile);
  throw new Error('persistedQueries allow-list mode needs a manifest or a manifestFile');
}

/**
 * Everything the GraphQL layer needs, global so that the GraphQL module's async options can inject it. Needs, from
 * the composition root: EventLog (EventLogModule), AnalyticsClient (the analytics module, under its class token)
 * and the auth module (AuthModule.forRoot). The refund/dispute mutations use the `RefundWorkflow` and
 * `DisputeWorkflow` ports when the composition root binds them as global providers (the daemon binds the refunds
 * lib's PaymentWorkflowAdapter, the one writer per payment); unbound, every such mutation answers NOT_AVAILABLE.
 */
@Global()
@Module({})
export class ApiCoreModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    private readonly notifier: PaymentNotifier,
    @Inject(AUTH_LOG_TAIL) private readonly authTail: EventLogTail,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  static forRoot(options: ApiModuleOptions): DynamicModule {
    const limits = resolveLimits(options);
    return {
      module: ApiCoreModule,
      global: true,
      providers: [
        { provide: API_OPTIONS, useValue: options },
        { provide: SCHEMA_REF, useValue: { current: null } satisfies SchemaRef },
        {
          provide: ApiReadModel,
          inject: [AnalyticsClient],
          useFactory: (client: AnalyticsClient) => new ApiReadModel(client, { cache: options.readCache }),
        },
        { provide: RateLimiter, useFactory: () => new RateLimiter(limits.rateLimit.perSecond, limits.rateLimit.burst) },
        { provide: MutationIdempotency, useFactory: () => new MutationIdempotency() },
        {
          provide: ContextFactory,
          inject: [Authenticator, RateLimiter, ApiReadModel],
          useFactory: (auth: Authenticator, limiter: RateLimiter, read: ApiReadModel) =>
            new ContextFactory(auth, limiter, read),
        },
        {
          provide: PaymentNotifier,
          inject: [ApiReadModel, { token: RefundWorkflow, optional: true }],
          useFactory: (read: ApiReadModel, workflow?: RefundWorkflow) =>
            new PaymentNotifier(async (tenant, paymentId) => {
              const fresh = workflow ? await workflow.getPayment(paymentId) : null;
              if (fresh)
                return {
                  tenant: fresh.tenant,
                  payTo: fresh.payTo.toLowerCase(),
                  payer: fresh.payer?.toLowerCase() ?? null,
                };
              const record = (await read.payments.byIds(UNRESTRICTED, [paymentId])).get(paymentId);
              return record && record.tenant === tenant ? { tenant, payTo: record.payTo, payer: record.payer } : null;
            }),
        },
        ...API_RESOLVERS,
      ],
      exports: [API_OPTIONS, SCHEMA_REF, ApiReadModel, ContextFactory, PaymentNotifier, RateLimiter],
    };
  }

  onModuleInit(): void {
    if (this.options.subscriptions !== false) {
      this.authTail.addListener((batch, phase) => (phase === 'live' ? this.notifier.onBatch(batch) : undefined));
    }
  }

  beforeApplicationShutdown(): void {
    this.notifier.close();
  }
}

/**
 * The GraphQL API (`/graphql`, code-first, Apollo): payments, revenue, refunds, disputes, sessions, verification
 * failures, discovery, balances; refund/dispute mutations; graphql-ws subscriptions. Every read is scoped by the
 * caller (admin | provider | payer); depth, complexity, page size and rate limits; typed errors only.
 */
@Module({})
export class ApiModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const limits = resolveLimits(options);
    const manifest = manifestOf(options);
    const path = options.path ?? '/graphql';
    return {
      module: ApiModule,
      imports: [
        ApiCoreModule.forRoot(options),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: X402ApolloDriver,
          inject: [ContextFactory, SCHEMA_REF],
          useFactory: (contexts: ContextFactory, schemaRef: SchemaRef): ApolloDriverConfig => {
            const logger = new Logger('GraphQL');
            const dev = options.mode === 'dev';
            const depthRule = depthLimitRule(limits.maxDepth);
            return {
              path,
              autoSchemaFile: true,
              sortSchema: true,
              introspection: dev,
              playground: false,
              includeStacktraceInErrorResponses: false,
              csrfPrevention: true,
              formatError: createFormatError({ error: (message, meta) => logger.error({ msg: message, ...meta }) }),
              validationRules: [depthRule],
              plugins: [complexityPlugin(limits.maxComplexity), ...(manifest ? [allowListPlugin(manifest)] : [])],
              persistedQueries: manifest ? { cache: new ManifestQueryCache(manifest) } : undefined,
              context: async (args: { req?: unknown; extra?: WsExtra }) =>
                args.extra !== undefined && args.req === undefined
                  ? contexts.ws(args.extra)
                  : contexts.http(args.req as never),
              subscriptions:
                options.subscriptions === false
                  ? undefined
                  : {
                      'graphql-ws': {
                        path,
                        onConnect: (ctx) => contexts.wsConnect(ctx.connectionParams, ctx.extra as WsExtra),
                        onSubscribe: (ctx, _id, payload) => {
                          if (!contexts.wsAllow(ctx.extra as WsExtra)) return [rateLimited()];
                          const schema = schemaRef.current;
                          if (!schema) return undefined;
                          if (manifest && !manifest.operations.has(sha256Hex(payload.query))) {
                            return [allowListError()];
                          }
                          let document;
                          try {
                            document = parse(payload.query);
                          } catch (error) {
                            return [error as GraphQLError];
                          }
                          const errors = validate(schema, document, [...specifiedRules, depthRule]);
                          if (errors.length > 0) return errors;
                          const cost = operationComplexity(
                            schema,
                            document,
                            payload.variables ?? undefined,
                            payload.operationName ?? undefined,
                          );
                          if (cost > limits.maxComplexity) return [tooComplex(cost, limits.maxComplexity)];
                          return undefined;
                        },
                      },
                    },
              schemaRef,
            } as ApolloDriverConfig;
          },
        }),
      ],
    };
  }
}

function allowListError(): GraphQLError {
  return new GraphQLError('This operation is not on the allow-list of persisted queries', {
    extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED' },
  });
}
