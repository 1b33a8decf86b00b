import { Body, Controller, Get, HttpCode, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { RefreshScheduler } from '../refresh/refresh.scheduler';
import { DiscoveryQueryService, type ListResponse, type SearchResponse } from '../search/discovery-query.service';
import { DiscoveryExceptionFilter } from './discovery-exception.filter';
import { listQuerySchema, parseRequest, registerBodySchema, searchQuerySchema } from './discovery-query.schema';
import { ProviderKeyGuard, type DiscoveryRequest } from './provider-key.guard';

/**
 * The bazaar endpoints the official `withBazaar(...)` client calls (public reads), plus provider registration of
 * resource URLs to keep fresh.
 */
@Controller('discovery')
@UseFilters(DiscoveryExceptionFilter)
export class DiscoveryController {
  constructor(
    private readonly queries: DiscoveryQueryService,
    private readonly scheduler: RefreshScheduler,
  ) {}

  @Get('resources')
  resources(@Query() query: unknown): Promise<ListResponse> {
    return this.queries.list(parseRequest(listQuerySchema, query));
  }

  @Get('search')
  search(@Query() query: unknown): Promise<SearchResponse> {
    return this.queries.search(parseRequest(searchQuerySchema, query));
  }

  /** Registers a resource URL (fetched now, then kept fresh). 201 with the listing; 422 when it is not x402. */
  @Post('resources')
  @HttpCode(201)
  @UseGuards(ProviderKeyGuard)
  async register(@Body() body: unknown, @Req() request: DiscoveryRequest) {
    const { url } = parseRequest(registerBodySchema, body);
    const stored = await this.scheduler.register(url, request.discoveryCaller!.tenant);
    return { resource: stored.entry.resourceUrl, status: stored.entry.status, accepts: stored.entry.accepts };
  }
}
