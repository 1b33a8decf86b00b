import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, UseFilters } from '@nestjs/common';
import { AuthErrorCode, AuthException, Authenticator, isTenantId } from '@x402-ledger/auth';
import { z } from 'zod';
import { WebhookDeliveriesService, type WebhookDeliveryView } from '../delivery/webhook-deliveries.service';
import { WebhookEndpointsService, type WebhookEndpointView } from '../endpoints/webhook-endpoints.service';
import type { WebhookAttemptRecord } from '../store/webhook.records';
import { WebhooksErrorCode, WebhooksException } from '../webhooks.exception';
import { WebhooksExceptionFilter } from './webhooks-exception.filter';

const registerBody = z.strictObject({
  url: z.string(),
  eventTypes: z.array(z.string()),
  description: z.string().nullable().optional(),
});
const updateBody = registerBody.partial().extend({ enabled: z.boolean().optional() }).strict();
const ID = /^[A-Za-z0-9_-]{1,100}$/;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, problems.join('; '));
  }
  return parsed.data;
}

function id(value: string, what: string): string {
  if (!ID.test(value)) throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, `${what} is malformed`);
  return value;
}

/**
 * Provider webhook management over HTTP, `Authorization: Bearer <provider API key>` (its tenant) or the admin key with
 * `?tenant=`. Register returns the signing secret once; list, update (url, eventTypes, description, enabled), rotate
 * the secret, list an endpoint's deliveries, read a delivery's attempts, redeliver.
 */
@Controller('webhooks')
@UseFilters(WebhooksExceptionFilter)
export class WebhooksController {
  constructor(
    private readonly auth: Authenticator,
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Get('endpoints')
  async list(
    @Headers('authorization') authorization: string | undefined,
    @Query('tenant') tenant?: string,
  ): Promise<{ endpoints: WebhookEndpointView[] }> {
    return { endpoints: this.endpoints.list(await this.tenantOf(authorization, tenant)) };
  }

  @Post('endpoints')
  @HttpCode(201)
  async register(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Query('tenant') tenant?: string,
  ): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const owner = await this.tenantOf(authorization, tenant);
    return this.endpoints.register(owner, parse(registerBody, body));
  }

  @Get('endpoints/:id')
  async get(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') endpointId: string,
    @Query('tenant') tenant?: string,
  ): Promise<{ endpoint: WebhookEndpointView }> {
    const owner = await this.tenantOf(authorization, tenant);
    return { endpoint: this.endpoints.get(owner, id(endpointId, 'endpoint id')) };
  }

  @Patch('endpoints/:id')
  async update(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') endpointId: string,
    @Body() body: unknown,
    @Query('tenant') tenant?: string,
  ): Promise<{ endpoint: WebhookEndpointView }> {
    const owner = await this.tenantOf(authorization, tenant);
    const changes = parse(updateBody, body);
    return { endpoint: await this.endpoints.update(owner, id(endpointId, 'endpoint id'), changes) };
  }

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  async rotate(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') endpointId: string,
    @Query('tenant') tenant?: string,
  ): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const owner = await this.tenantOf(authorization, tenant);
    return this.endpoints.rotateSecret(owner, id(endpointId, 'endpoint id'));
  }

  @Get('endpoints/:id/deliveries')
  async listDeliveries(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') endpointId: string,
    @Query('tenant') tenant?: string,
    @Query('limit') limit?: string,
  ): Promise<{ deliveries: WebhookDeliveryView[] }> {
    const owner = await this.tenantOf(authorization, tenant);
    const n = limit === undefined ? undefined : Number(limit);
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 500))
      throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, 'limit must be an integer 1..500');
    return { deliveries: this.deliveries.list(owner, id(endpointId, 'endpoint id'), { limit: n }) };
  }

  @Get('deliveries/:id')
  async delivery(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') deliveryId: string,
    @Query('tenant') tenant?: string,
  ): Promise<{ delivery: WebhookDeliveryView; attempts: WebhookAttemptRecord[] }> {
    const owner = await this.tenantOf(authorization, tenant);
    const checked = id(deliveryId, 'delivery id');
    return { delivery: this.deliveries.get(owner, checked), attempts: this.deliveries.attempts(owner, checked) };
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(202)
  async redeliver(
    @Headers('authorization') authorization: string | undefined,
    @Param('id') deliveryId: string,
    @Query('tenant') tenant?: string,
  ): Promise<{ delivery: WebhookDeliveryView }> {
    const owner = await this.tenantOf(authorization, tenant);
    return { delivery: await this.deliveries.redeliver(owner, id(deliveryId, 'delivery id')) };
  }

  /** A provider key's tenant; the admin names one with `?tenant=`; wallets and payers may not manage webhooks. */
  private async tenantOf(authorization: string | undefined, tenant: string | undefined): Promise<string> {
    const principal = await this.auth.authenticate(authorization);
    if (!principal) throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'Authorization: Bearer <API key> required');
    if (principal.kind === 'admin') {
      if (!tenant || !isTenantId(tenant))
        throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, 'the admin key must name a valid ?tenant=');
      return tenant;
    }
    if (principal.kind === 'provider' && principal.tenant !== null) {
      if (tenant !== undefined && tenant !== principal.tenant)
        throw new AuthException(AuthErrorCode.FORBIDDEN, 'a provider key manages its own tenant only');
      return principal.tenant;
    }
    throw new AuthException(AuthErrorCode.FORBIDDEN, 'webhooks are managed with a provider API key of a tenant');
  }
}
