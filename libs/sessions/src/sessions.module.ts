import { join } from 'node:path';
import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { EventLog, type StreamOwnership } from '@x402-ledger/event-log';
import { Clock } from '@x402-ledger/ledger';
import type { PublicClient } from 'viem';
import { ApiKeySessionsAuth, SessionsAuth, type ApiKeyAuthOptions } from './auth/sessions-auth';
import { JwksController } from './http/jwks.controller';
import { SessionsAuthGuard } from './http/sessions-auth.guard';
import { SessionsController } from './http/sessions.controller';
import { EventLogSettledPayments } from './payments/event-log-settled-payments';
import { SettledPayments } from './payments/settled-payments.port';
import { PolicyRepository, VersionedPolicyRepository } from './policy/policy.repository';
import type { SessionPolicyInput } from './policy/session-policy';
import { DEFAULT_SESSIONS_CONFIG, type SessionsConfig } from './sessions.config';
import { SessionsService } from './sessions.service';
import { SignatureVerifier } from './siwx/signature-verifier.port';
import { ViemSignatureVerifier } from './siwx/viem-signature.verifier';
import { CryptoRandomSource, RandomSource } from './store/random-source.port';
import { sessionsOwnedStreamsFold } from './store/sessions-owned-streams.fold';
import { SystemClock } from './store/system-clock';
import { FileSigningKeyStore, MemorySigningKeyStore, SigningKeyStore } from './token/signing-key.store';
import { SessionTokenIssuer } from './token/session-token.issuer';

export interface SessionsModuleOptions {
  config?: Partial<SessionsConfig>;
  /** Signing keys and policy versions are kept under `<dataDir>/sessions/` (absent: in memory only — tests). */
  dataDir?: string;
  /** Policies seeded at start (a changed policy becomes a new version). */
  policies?: SessionPolicyInput[];
  /** API keys (or bind your own SessionsAuth with `authProvider`). */
  auth: ApiKeyAuthOptions;
  /** Overrides the SessionsAuth binding (e.g. an adapter over the facilitator's ApiKeyStore). */
  authProvider?: Provider;
  /** Public clients per CAIP-2 network, for ERC-1271 / ERC-6492 signatures (EOA works without). */
  publicClients?: Record<string, Pick<PublicClient, 'verifyMessage'>>;
  /** Overrides the SettledPayments binding (default: payment.settled events read from the EventLog). */
  settledPayments?: Provider;
  /** Overrides Clock (tests). */
  clock?: Clock;
  /**
   * Single writer per session / SIWx-nonce stream across processes: the StreamOwnership to follow (e.g.
   * `{ inject: [StreamOwnership], useFactory: (o) => o }`, or a SharedStreamOwnership member when other stores share
   * the writers' group). Used only when it is fenced (Kafka); absent or embedded: this process owns every stream.
   */
  ownership?: { inject?: InjectionToken[]; useFactory: (...deps: never[]) => StreamOwnership | null };
}

const SESSIONS_OPTIONS = Symbol('SESSIONS_OPTIONS');
const SESSIONS_OWNERSHIP = Symbol('SESSIONS_OWNERSHIP');

/**
 * The session service as a NestJS module: POST /sessions/nonce, POST /sessions, POST /sessions/siwx,
 * POST /sessions/usage, POST /sessions/:id/{token,reserve,revoke}, POST /sessions/revoke, GET /sessions/revocations,
 * policies, the official SIWx storage endpoints, and GET /.well-known/jwks.json. Needs the EventLog port (global
 * EventLogModule). The service rebuilds its state from the log before the application starts listening.
 */
@Module({})
export class SessionsModule implements OnApplicationShutdown {
  constructor(@Inject(SessionsService) private readonly service: SessionsService) {}

  static forRoot(options: SessionsModuleOptions): DynamicModule {
    const config: SessionsConfig = { ...DEFAULT_SESSIONS_CONFIG, ...options.config };
    validateConfig(config);
    const dir = options.dataDir === undefined ? undefined : join(options.dataDir, 'sessions');
    const logger = new Logger('Sessions');
    return {
      module: SessionsModule,
      controllers: [SessionsController, JwksController],
      providers: [
        { provide: SESSIONS_OPTIONS, useValue: options },
        options.ownership
          ? {
              provide: SESSIONS_OWNERSHIP,
              inject: options.ownership.inject ?? [],
              useFactory: options.ownership.useFactory,
            }
          : { provide: SESSIONS_OWNERSHIP, useValue: null },
        options.clock ? { provide: Clock, useValue: options.clock } : { provide: Clock, useClass: SystemClock },
        { provide: RandomSource, useClass: CryptoRandomSource },
        {
          provide: SignatureVerifier,
          useFactory: () => new ViemSignatureVerifier(new Map(Object.entries(options.publicClients ?? {}))),
        },
        options.settledPayments ?? {
          provide: SettledPayments,
          useFactory: (log: EventLog) => new EventLogSettledPayments(log),
          inject: [EventLog],
        },
        {
          provide: PolicyRepository,
          useFactory: (clock: Clock) =>
            new VersionedPolicyRepository(clock, dir === undefined ? undefined : join(dir, 'policies.json')),
          inject: [Clock],
        },
        {
          provide: SigningKeyStore,
          useFactory: () =>
            dir === undefined ? new MemorySigningKeyStore() : new FileSigningKeyStore(join(dir, 'signing-keys.json')),
        },
        {
          provide: SessionTokenIssuer,
          useFactory: (store: SigningKeyStore, clock: Clock) =>
            new SessionTokenIssuer(store, clock, {
              issuer: config.issuer,
              algorithm: config.signingAlgorithm,
              tokenTtlSeconds: config.tokenTtlSeconds,
              rotateAfterSeconds: config.keyRotationSeconds,
            }),
          inject: [SigningKeyStore, Clock],
        },
        options.authProvider ?? { provide: SessionsAuth, useFactory: () => new ApiKeySessionsAuth(options.auth) },
        SessionsAuthGuard,
        {
          provide: SessionsService,
          useFactory: async (
            log: EventLog,
            clock: Clock,
            random: RandomSource,
            verifier: SignatureVerifier,
            settled: SettledPayments,
            policies: PolicyRepository,
            tokens: SessionTokenIssuer,
            ownership: StreamOwnership | null,
          ) => {
            for (const policy of options.policies ?? []) await policies.put(policy, 'config');
            const service = new SessionsService(
              log,
              clock,
              random,
              verifier,
              settled,
              policies,
              tokens,
              config,
              (what, e) => logger.error(`${what} failed: ${(e as Error).message}`),
            );
            if (ownership?.fenced) {
              // Kafka: the session and nonce states are those of the partitions this process owns (fed by the
              // writers' group); init's replay then only feeds the settled payments.
              service.sessions.useOwnership(ownership);
              service.nonces.useOwnership(ownership);
              await ownership.start(sessionsOwnedStreamsFold(service.sessions, service.nonces));
            }
            await service.init();
            return service;
          },
          inject: [
            EventLog,
            Clock,
            RandomSource,
            SignatureVerifier,
            SettledPayments,
            PolicyRepository,
            SessionTokenIssuer,
            SESSIONS_OWNERSHIP,
          ],
        },
      ],
      exports: [SessionsService, SettledPayments, PolicyRepository],
    };
  }

  onApplicationShutdown(): void {
    this.service.close();
  }
}

function validateConfig(c: SessionsConfig): void {
  const problems: string[] = [];
  const positive = (name: keyof SessionsConfig, max: number) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v < 1 || v > max) problems.push(`${name} must be an integer 1..${max}`);
  };
  positive('tokenTtlSeconds', 86_400);
  positive('keyRotationSeconds', 365 * 86_400);
  positive('nonceTtlSeconds', 86_400);
  positive('nonceRetentionSeconds', 30 * 86_400);
  positive('siwxMaxAgeSeconds', 86_400);
  positive('expirySweepSeconds', 86_400);
  positive('revocationPollMs', 5_000);
  if (!Number.isInteger(c.siwxClockSkewSeconds) || c.siwxClockSkewSeconds < 0 || c.siwxClockSkewSeconds > 600)
    problems.push('siwxClockSkewSeconds must be an integer 0..600');
  if (c.signingAlgorithm !== 'EdDSA' && c.signingAlgorithm !== 'ES256')
    problems.push('signingAlgorithm: EdDSA | ES256');
  if (c.nonceRetentionSeconds < c.siwxMaxAgeSeconds + c.siwxClockSkewSeconds)
    problems.push('nonceRetentionSeconds must cover siwxMaxAgeSeconds + siwxClockSkewSeconds');
  if (problems.length) throw new Error(`invalid sessions configuration: ${problems.join('; ')}`);
}
