import { Body, Controller, HttpCode, Inject, Logger, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { VerifyResponse } from '@x402-ledger/protocol';
import {
  DEFAULTS,
  EXTENSION_RESPONSES_HEADER,
  FACILITATOR_OPTIONS,
  FacilitatorExtensions,
  type FacilitatorOptions,
} from '../facilitator.options';
import { VerifyService } from '../verify/verify.service';
import { ApiKeyGuard, type PrincipalRequest } from './api-key.guard';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';
import { FacilitatorMetrics } from '../metrics/facilitator-metrics.port';
import { checkBodySize, correlationIdOf, measured, principalOf, withTimeout } from './request-context';

@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(FacilitatorExceptionFilter)
export class VerifyController {
  private readonly logger = new Logger(VerifyController.name);

  constructor(
    private readonly service: VerifyService,
    @Inject(FACILITATOR_OPTIONS) private readonly options: FacilitatorOptions,
    private readonly extensions: FacilitatorExtensions,
    private readonly metrics: FacilitatorMetrics,
  ) {}

  /** 200 with `isValid` true or false; 400 for bodies the SDK would never send; 503 when the chain is unreachable. */
  @Post('verify')
  @HttpCode(200)
  async verify(
    @Body() body: unknown,
    @Req() request: PrincipalRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<VerifyResponse> {
    return measured(
      this.metrics,
      'verify',
      body,
      () => this.answer(body, request, response),
      (a) => ({
        outcome: a.isValid ? 'valid' : 'invalid',
        reason: a.isValid ? 'none' : (a.invalidReason ?? 'unknown'),
      }),
    );
  }

  private async answer(body: unknown, request: PrincipalRequest, response: Response): Promise<VerifyResponse> {
    checkBodySize(request, this.options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes);
    const principal = principalOf(request);
    const correlationId = correlationIdOf(request);
    const work = this.service.verify(body, principal, correlationId);
    const answer = await withTimeout(this.options.verifyTimeoutMs ?? DEFAULTS.verifyTimeoutMs, '/verify', work);
    const call = { route: 'verify', body, accepted: answer.isValid, tenant: principal.tenant, correlationId } as const;
    // Extensions never change the payment answer: a failure is logged and the answer goes out without the header.
    await this.extensions.headerFor(call).then(
      (header) => header && response.setHeader(EXTENSION_RESPONSES_HEADER, header),
      (error: Error) => this.logger.error(`extensions after /verify failed: ${error.message}`, error.stack),
    );
    return answer;
  }
}
