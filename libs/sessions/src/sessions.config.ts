/** The session service's settings (validated once by SessionsModule.forRoot; defaults below). */
export interface SessionsConfig {
  /** Token `iss`. */
  issuer: string;
  /** `producer` on the envelopes this service writes. */
  producer: string;
  /** Token lifetime (short): validators need no round trip, revocations bound by it. */
  tokenTtlSeconds: number;
  /** Signing key rotation period. */
  keyRotationSeconds: number;
  signingAlgorithm: 'EdDSA' | 'ES256';
  /** SIWx nonce lifetime. */
  nonceTtlSeconds: number;
  /** How long consumed nonces are remembered (must exceed any proof's lifetime). */
  nonceRetentionSeconds: number;
  /** Max age of a proof's issuedAt (official default: 5 min). */
  siwxMaxAgeSeconds: number;
  /** Clock skew tolerated between resource servers and this service. */
  siwxClockSkewSeconds: number;
  /** Period of the sweep that records session.expired. */
  expirySweepSeconds: number;
  /** Revocation feed: suggested poll period for validators. */
  revocationPollMs: number;
}

export const DEFAULT_SESSIONS_CONFIG: SessionsConfig = {
  issuer: 'x402-ledger',
  producer: 'sessions@0.1.0',
  tokenTtlSeconds: 300,
  keyRotationSeconds: 24 * 3600,
  signingAlgorithm: 'EdDSA',
  nonceTtlSeconds: 300,
  nonceRetentionSeconds: 3600,
  siwxMaxAgeSeconds: 300,
  siwxClockSkewSeconds: 30,
  expirySweepSeconds: 15,
  revocationPollMs: 1000,
};
