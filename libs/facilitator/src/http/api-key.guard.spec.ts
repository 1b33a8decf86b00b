import type { ExecutionContext } from '@nestjs/common';
import { StaticApiKeyStore } from '../auth/api-key.store';
import { RateLimiter } from '../auth/rate-limiter';
import { FacilitatorErrorCode } from '../facilitator.exception';
import type { FacilitatorOptions } from '../facilitator.options';
import { ApiKeyGuard, type PrincipalRequest } from './api-key.guard';

function context(request: Partial<PrincipalRequest>): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}
const request = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  ({ headers, socket: { remoteAddress } }) as unknown as PrincipalRequest;

describe('ApiKeyGuard', () => {
  const keys = new StaticApiKeyStore({
    'key-acme-0123456789': 'acme',
    'key-slow-0123456789': { tenant: 'slow', rateLimitPerMinute: 2 },
  });
  const guard = (mode: 'dev' | 'production') =>
    new ApiKeyGuard(keys, new RateLimiter(), {
      mode,
      networks: [],
      stateDir: '',
      rateLimitPerMinute: 1000,
    } as FacilitatorOptions);

  it('maps a Bearer key to its tenant', async () => {
    const req = request({ authorization: 'Bearer key-acme-0123456789' });
    await expect(guard('production').canActivate(context(req))).resolves.toBe(true);
    expect(req.x402Principal).toMatchObject({ tenant: 'acme' });
  });

  it('lets keyless requests in only in dev mode and only from loopback, as tenant dev', async () => {
    const local = request({});
    await guard('dev').canActivate(context(local));
    expect(local.x402Principal?.tenant).toBe('dev');
    await expect(guard('dev').canActivate(context(request({}, '10.0.0.7')))).rejects.toMatchObject({
      code: FacilitatorErrorCode.UNAUTHENTICATED,
    });
    await expect(guard('production').canActivate(context(request({})))).rejects.toMatchObject({
      code: FacilitatorErrorCode.UNAUTHENTICATED,
    });
  });

  it('refuses unknown keys even in dev mode', async () => {
    await expect(guard('dev').canActivate(context(request({ authorization: 'Bearer nope' })))).rejects.toMatchObject({
      code: FacilitatorErrorCode.UNAUTHENTICATED,
    });
  });

  it('applies the per-key rate limit with a Retry-After', async () => {
    const sut = guard('production');
    const slow = () => sut.canActivate(context(request({ authorization: 'Bearer key-slow-0123456789' })));
    await slow();
    await slow();
    await expect(slow()).rejects.toMatchObject({
      code: FacilitatorErrorCode.RATE_LIMITED,
      retryAfterSeconds: expect.any(Number),
    });
  });
});

describe('RateLimiter', () => {
  it('refills continuously', () => {
    let now = 0;
    const sut = new RateLimiter(() => now);
    expect(sut.take('k', 60)).toBe(0);
    for (let i = 0; i < 59; i++) sut.take('k', 60);
    expect(sut.take('k', 60)).toBeGreaterThan(0);
    now += 1000;
    expect(sut.take('k', 60)).toBe(0);
    expect(sut.take('free', 0)).toBe(0);
  });
});
