import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import type { SupportedResponse } from '@x402-ledger/protocol';
import { SupportedService } from '../supported/supported.service';
import { ApiKeyGuard } from './api-key.guard';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';

@Controller()
@UseGuards(ApiKeyGuard)
@UseFilters(FacilitatorExceptionFilter)
export class SupportedController {
  constructor(private readonly service: SupportedService) {}

  @Get('supported')
  supported(): SupportedResponse {
    return this.service.supported();
  }
}
