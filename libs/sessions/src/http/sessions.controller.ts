import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseFilters, UseGuards } from '@nestjs/common';
import type {
  IssueNoncesResponse,
  ReportUsageResponse,
  ReserveUsageResponse,
  RevocationPage,
  SessionGrant,
  SiwxNonceResponse,
  SiwxPaidResponse,
} from '@x402-ledger/session-guard';
import type { Principal } from '../auth/principal';
import type { SessionPolicy } from '../policy/session-policy';
import { SessionsService } from '../sessions.service';
import { SessionsAuthGuard, CurrentPrincipal, PublicRoute } from './sessions-auth.guard';
import {
  createSessionBody,
  exchangeSiwxBody,
  issueNoncesBody,
  parseRequest,
  reportUsageBody,
  reserveBody,
  revokeBody,
  revokeWalletBody,
  siwxPaidBody,
  siwxPaidQuery,
} from './sessions.dto';
import { SessionsExceptionFilter } from './sessions-exception.filter';

/**
 * The session service API (provider API key unless marked public). Every answer that reports a fact is sent after
 * the fact's event is durably on the log.
 */
@Controller('sessions')
@UseGuards(SessionsAuthGuard)
@UseFilters(SessionsExceptionFilter)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** Single-use SIWx nonces for the 402 challenges of one resource-server origin. */
  @Post('nonce')
  @HttpCode(201)
  issueNonces(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<IssueNoncesResponse> {
    const { origin, count } = parseRequest(issueNoncesBody, body);
    return this.sessions.issueNonces(p, origin, count);
  }

  /** SIWx proof + settled payment id → session + token. */
  @Post()
  @HttpCode(201)
  create(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<SessionGrant> {
    return this.sessions.createSession(p, parseRequest(createSessionBody, body));
  }

  /** SIWx proof alone → token of the wallet's active session covering the resource (402 when none). */
  @Post('siwx')
  @HttpCode(200)
  exchange(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<SessionGrant> {
    return this.sessions.exchangeSiwx(p, parseRequest(exchangeSiwxBody, body));
  }

  @Post('usage')
  @HttpCode(200)
  usage(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<ReportUsageResponse> {
    return this.sessions.reportUsage(p, parseRequest(reportUsageBody, body));
  }

  /** Revocation feed for validators: poll with the cursor of the previous page. */
  @Get('revocations')
  @PublicRoute()
  revocations(@Query('since') since?: string): RevocationPage {
    return this.sessions.revocations(typeof since === 'string' ? since : undefined);
  }

  /** Revokes every active session of a wallet. */
  @Post('revoke')
  @HttpCode(200)
  revokeWallet(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<{ revoked: string[] }> {
    const { wallet, reason } = parseRequest(revokeWalletBody, body);
    return this.sessions.revokeWallet(p, wallet, reason);
  }

  @Get('policies')
  policies(@CurrentPrincipal() p: Principal): { policies: SessionPolicy[] } {
    return { policies: this.sessions.listPolicies(p) };
  }

  /** Creates or updates a policy (a new version when the terms change). */
  @Put('policies/:id')
  putPolicy(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
  ): Promise<SessionPolicy> {
    return this.sessions.putPolicy(p, { ...(body ?? {}), id } as never);
  }

  // The official SIWx storage interface, persisted in the ledger (LedgerSIWxStorage in the SDK calls these).
  @Get('siwx-storage/paid')
  siwxHasPaid(@CurrentPrincipal() p: Principal, @Query() query: unknown): SiwxPaidResponse {
    const { resource, address } = parseRequest(siwxPaidQuery, query);
    return { paid: this.sessions.siwxHasPaid(p, resource, address) };
  }

  @Post('siwx-storage/paid')
  @HttpCode(200)
  siwxRecordPayment(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<{ sessionId: string }> {
    const { resource, address } = parseRequest(siwxPaidBody, body);
    return this.sessions.siwxRecordPayment(p, resource, address);
  }

  @Get('siwx-storage/nonces/:nonce')
  async siwxHasUsedNonce(@Param('nonce') nonce: string): Promise<SiwxNonceResponse> {
    return { used: await this.sessions.siwxHasUsedNonce(nonce) };
  }

  @Post('siwx-storage/nonces/:nonce')
  @HttpCode(204)
  siwxRecordNonce(@CurrentPrincipal() p: Principal, @Param('nonce') nonce: string): Promise<void> {
    return this.sessions.siwxRecordNonce(p, nonce);
  }

  @Get(':id')
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Record<string, unknown>> {
    return this.sessions.getSession(p, id);
  }

  /** A fresh short-lived token for an active session. */
  @Post(':id/token')
  @HttpCode(200)
  refresh(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<SessionGrant> {
    return this.sessions.refreshToken(p, id);
  }

  /** Strict enforcement: reserve calls/spend before serving. */
  @Post(':id/reserve')
  @HttpCode(200)
  reserve(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<ReserveUsageResponse> {
    return this.sessions.reserve(p, id, parseRequest(reserveBody, body));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<{ revoked: string[] }> {
    return this.sessions.revokeSession(p, id, parseRequest(revokeBody, body).reason);
  }
}
