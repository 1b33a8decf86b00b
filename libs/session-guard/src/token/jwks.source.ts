import type { Jwks } from '../service/session-api.types';
import type { SessionServiceClient } from '../service/session-service.client';

/** Where a validator gets the service's public keys (GET /.well-known/jwks.json). */
export abstract class JwksSource {
  abstract fetch(): Promise<Jwks>;
}

/** JWKS from the session service over HTTP. */
export class ServiceJwksSource extends JwksSource {
  constructor(private readonly client: SessionServiceClient) {
    super();
  }

  fetch(): Promise<Jwks> {
    return this.client.jwks();
  }
}

/** A fixed JWKS (tests, or keys distributed out of band). */
export class StaticJwksSource extends JwksSource {
  constructor(private jwks: Jwks) {
    super();
  }

  set(jwks: Jwks): void {
    this.jwks = jwks;
  }

  async fetch(): Promise<Jwks> {
    return this.jwks;
  }
}
