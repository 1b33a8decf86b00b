import { Body, Controller, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { VerifyResponse } from '@x402-ledger/protocol';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';
import { VerifyService } from '../verify/verify.service';
import { ApiKeyGuard, type PrincipalRequest } from './api-key.guard';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';
import { checkBodySize, correlationIdOf, principalOf, withTimeout } from './request-context';

@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(FacilitatorExceptionFilter)
export class VerifyController {
  constructor(
    private readonly service: VerifyService,
    @Inject(FACILITATOR_OPTIONS) private readonly options: FacilitatorOptions,
  ) {}

  /** 200 with `isValid` true or false; 400 for bodies the SDK would never send; 503 when the chain is unreachable. */
  @Post('verify')
  @HttpCode(200)
  verify(@Body() body: unknown, @Req() request: PrincipalRequest): Promise<VerifyResponse> {
    checkBodySize(request, this.options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes);
    const work = this.service.verify(body, principalOf(request), correlationIdOf(request));
    return withTimeout(this.options.verifyTimeoutMs ?? DEFAULTS.verifyTimeoutMs, '/verify', work);
  }
}
