import { randomBytes } from 'node:crypto';
import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EventLog } from '@x402-ledger/event-log';
import { Clock } from '@x402-ledger/ledger';
import { ApiKeyService } from './api-keys/api-key.service';
import { Authenticator } from './authenticator';
import { CryptoSecretGenerator, SecretGenerator } from './crypto/secret-generator.port';
import { SystemClock } from './crypto/system-clock';
import { EventLogTail } from './log-tail/event-log-tail';
import { AccessTokenService } from './tokens/access-token.service';
import { SignInNonceStore } from './wallet/sign-in-nonce.store';
import { EoaSignatureVerifier, SignatureVerifier } from './wallet/signature-verifier.port';
import { WalletSignInService } from './wallet/wallet-sign-in.service';

export interface AuthModuleOptions {
  /** ADMIN_API_KEY (config.adminApiKey; dev mode generates one). Accepted as an admin principal. */
  adminApiKey?: string | null;
  /** HS256 secret for wallet sign-in tokens (≥ 32 bytes). Absent: a random one per process (tokens die with it). */
  tokenSecret?: string;
  tokenTtlSeconds?: number;
  /** The domain SIWE messages must name, e.g. `127.0.0.1:4020` in dev or the public API host. */
  siweDomain: string;
  /** How often the key index looks for keys created/revoked by other processes (default 250 ms). */
  pollIntervalMs?: number;
  /** Replace the EOA-only signature check (e.g. with one that also accepts ERC-1271 wallets). */
  signatureVerifier?: SignatureVerifier;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
/** The tail that feeds the key index; other modules may add listeners for live events. */
export const AUTH_LOG_TAIL = Symbol('AUTH_LOG_TAIL');

/**
 * API keys (durable on the EventLog, indexed in memory, rebuilt on start), wallet sign-in and the Authenticator.
 * Needs the EventLog provider (EventLogModule). Start completes once the key index has read the whole log.
 */
@Global()
@Module({})
export class AuthModule implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuthModule');

  constructor(
    private readonly keys: ApiKeyService,
    @Inject(AUTH_LOG_TAIL) private readonly tail: EventLogTail,
  ) {}

  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        { provide: Clock, useClass: SystemClock },
        { provide: SecretGenerator, useClass: CryptoSecretGenerator },
        { provide: SignatureVerifier, useValue: options.signatureVerifier ?? new EoaSignatureVerifier() },
        {
          provide: AUTH_LOG_TAIL,
          inject: [EventLog],
          useFactory: (log: EventLog) =>
            new EventLogTail(log, {
              pollIntervalMs: options.pollIntervalMs,
              onError: (error) => new Logger('AuthModule').warn(`event log tail poll failed: ${String(error)}`),
            }),
        },
        {
          provide: ApiKeyService,
          inject: [EventLog, Clock, SecretGenerator],
          useFactory: (log: EventLog, clock: Clock, secrets: SecretGenerator) =>
            new ApiKeyService(log, clock, secrets, { adminApiKey: options.adminApiKey }),
        },
        {
          provide: AccessTokenService,
          inject: [Clock],
          useFactory: (clock: Clock) =>
            new AccessTokenService(
              options.tokenSecret ?? randomBytes(32).toString('hex'),
              clock,
              options.tokenTtlSeconds,
            ),
        },
        {
          provide: SignInNonceStore,
          inject: [Clock, SecretGenerator],
          useFactory: (clock: Clock, secrets: SecretGenerator) => new SignInNonceStore(clock, secrets),
        },
        {
          provide: WalletSignInService,
          inject: [SignInNonceStore, SignatureVerifier, AccessTokenService, Clock],
          useFactory: (
            nonces: SignInNonceStore,
            verifier: SignatureVerifier,
            tokens: AccessTokenService,
            clock: Clock,
          ) => new WalletSignInService({ domain: options.siweDomain }, nonces, verifier, tokens, clock),
        },
        {
          provide: Authenticator,
          inject: [ApiKeyService, AccessTokenService],
          useFactory: (keys: ApiKeyService, tokens: AccessTokenService) => new Authenticator(keys, tokens),
        },
      ],
      exports: [AUTH_LOG_TAIL, ApiKeyService, AccessTokenService, WalletSignInService, Authenticator],
    };
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    this.tail.addListener((batch) => this.keys.index.applyBatch(batch));
    await this.tail.start();
    this.keys.markReady();
    this.logger.log(`API key index ready: ${this.keys.index.size} keys (${Date.now() - started} ms)`);
  }

  /** Before the EventLog module closes the log. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.tail.stop();
  }
}
