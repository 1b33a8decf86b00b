import { Body, Controller, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { SettleResponse } from '@x402-ledger/protocol';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';
import { SettleService } from '../settle/settle.service';
import { ApiKeyGuard, type PrincipalRequest } from './api-key.guard';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';
import { checkBodySize, correlationIdOf, principalOf, withTimeout } from './request-context';

/** Beyond the receipt wait, what a settle may spend on verification, signing, logging and broadcasting. */
const SETTLE_OVERHEAD_MS = 30_000;

@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(FacilitatorExceptionFilter)
export class SettleController {
  private readonly timeoutMs: number;

  constructor(
    private readonly service: SettleService,
    @Inject(FACILITATOR_OPTIONS) private readonly options: FacilitatorOptions,
  ) {
    this.timeoutMs = Math.max(0, ...options.networks.map((n) => n.receiptTimeoutMs)) + SETTLE_OVERHEAD_MS;
  }

  /** 200 with `success` true or false (failures always carry `transaction` and `network`). */
  @Post('settle')
  @HttpCode(200)
  settle(@Body() body: unknown, @Req() request: PrincipalRequest): Promise<SettleResponse> {
    checkBodySize(request, this.options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes);
    const work = this.service.settle(body, principalOf(request), correlationIdOf(request));
    return withTimeout(this.timeoutMs, '/settle', work);
  }
}
