import { Controller, Get, Header } from '@nestjs/common';
import type { Jwks } from '@x402-ledger/session-guard';
import { SessionsService } from '../sessions.service';

/** The public keys session tokens are signed with (current + recently retired). */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  jwks(): Jwks {
    return this.sessions.jwks();
  }
}
