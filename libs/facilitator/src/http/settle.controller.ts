import { Body, Controller, HttpCode, Inject, Logger, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { SettleResponse } from '@x402-ledger/protocol';
import {
  DEFAULTS,
  EXTENSION_RESPONSES_HEADER,
  FACILITATOR_OPTIONS,
  FacilitatorExtensions,
  type FacilitatorOptions,
} from '../facilitator.options';
import { SettleService } from '../settle/settle.service';
import { ApiKeyGuard, type PrincipalRequest } from './api-key.guard';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';
import { FacilitatorMetrics } from '../metrics/facilitator-metrics.port';
import { checkBodySize, correlationIdOf, measured, principalOf, withTimeout } from './request-context';

/** Beyond the receipt wait, what a settle may spend on verification, signing, logging and broadcasting. */
const SETTLE_OVERHEAD_MS = 30_000;

@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(FacilitatorExceptionFilter)
export class SettleController {
  private readonly logger = new Logger(SettleController.name);
  private readonly timeoutMs: number;

  constructor(
    private readonly service: SettleService,
    @Inject(FACILITATOR_OPTIONS) private readonly options: FacilitatorOptions,
    private readonly extensions: FacilitatorExtensions,
    private readonly metrics: FacilitatorMetrics,
  ) {
    this.timeoutMs = Math.max(0, ...options.networks.map((n) => n.receiptTimeoutMs)) + SETTLE_OVERHEAD_MS;
  }

  /** 200 with `success` true or false (failures always carry `transaction` and `network`). */
  @Post('settle')
  @HttpCode(200)
  async settle(
    @Body() body: unknown,
    @Req() request: PrincipalRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SettleResponse> {
    return measured(
      this.metrics,
      'settle',
      body,
      () => this.answer(body, request, response),
      (a) => ({
        outcome: a.success ? 'success' : 'failure',
        reason: a.success ? 'none' : (a.errorReason ?? 'unknown'),
      }),
    );
  }

  private async answer(body: unknown, request: PrincipalRequest, response: Response): Promise<SettleResponse> {
    checkBodySize(request, this.options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes);
    const principal = principalOf(request);
    const correlationId = correlationIdOf(request);
    const work = this.service.settle(body, principal, correlationId);
    const answer = await withTimeout(this.timeoutMs, '/settle', work);
    const call = { route: 'settle', body, accepted: answer.success, tenant: principal.tenant, correlationId } as const;
    // Extensions never change the payment answer: a failure is logged and the answer goes out without the header.
    await this.extensions.headerFor(call).then(
      (header) => header && response.setHeader(EXTENSION_RESPONSES_HEADER, header),
      (error: Error) => this.logger.error(`extensions after /settle failed: ${error.message}`, error.stack),
    );
    return answer;
  }
}
