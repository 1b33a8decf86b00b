import type { ArgumentsHost } from '@nestjs/common';
import { BadRequestException } from '@nestjs/common';
import { ExactEvmErrorCode, ExactEvmException } from '@x402-ledger/evm';
import {
  ProtocolErrorCode,
  ProtocolException,
  SettleResponseSchema,
  VerifyResponseSchema,
} from '@x402-ledger/protocol';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { FacilitatorExceptionFilter } from './facilitator-exception.filter';

function run(error: unknown, path: string, body: unknown = {}) {
  const res = { statusCode: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    status: (s: number) => ((res.statusCode = s), response),
    json: (b: unknown) => ((res.body = b), response),
    setHeader: (k: string, v: string) => (res.headers[k] = v),
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ path, method: 'POST', body }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new FacilitatorExceptionFilter().catch(error, host);
  return res;
}

describe('FacilitatorExceptionFilter', () => {
  it.each([
    [new ProtocolException(ProtocolErrorCode.INVALID_REQUEST, 'x: Required'), 400, 'invalid_payload'],
    [new ProtocolException(ProtocolErrorCode.UNSUPPORTED_VERSION, 'v'), 400, 'invalid_x402_version'],
    [new ExactEvmException(ExactEvmErrorCode.INVALID_REQUIREMENTS, 'asset'), 400, 'invalid_payment_requirements'],
    [new ExactEvmException(ExactEvmErrorCode.CHAIN_UNAVAILABLE, 'rpc down'), 503, 'unexpected_verify_error'],
    [new FacilitatorException(FacilitatorErrorCode.NOT_RECORDED, 'log down'), 503, 'unexpected_verify_error'],
    [
      new FacilitatorException(FacilitatorErrorCode.PAYMENT_IDENTIFIER_CONFLICT, 'conflict'),
      409,
      'payment_identifier_conflict',
    ],
    [new BadRequestException('Unexpected token'), 400, 'invalid_payload'],
  ])('maps %p on /verify to %i with a body the SDK parses', (error, status, reason) => {
    const sut = run(error, '/verify');
    expect(sut.statusCode).toBe(status);
    expect(sut.body).toMatchObject({ isValid: false, invalidReason: reason });
    expect(VerifyResponseSchema.safeParse(sut.body).success).toBe(true);
  });

  it('gives settle errors transaction "" and the request network', () => {
    const sut = run(new ExactEvmException(ExactEvmErrorCode.CHAIN_UNAVAILABLE, 'down'), '/settle', {
      paymentRequirements: { network: 'eip155:8453' },
    });
    expect(sut.statusCode).toBe(503);
    expect(sut.body).toMatchObject({
      success: false,
      errorReason: 'unexpected_settle_error',
      transaction: '',
      network: 'eip155:8453',
    });
    expect(SettleResponseSchema.safeParse(sut.body).success).toBe(true);
  });

  it('answers 401/429 with a plain error and Retry-After, and never leaks internals of unknown errors', () => {
    expect(run(new FacilitatorException(FacilitatorErrorCode.UNAUTHENTICATED, 'no key'), '/supported')).toMatchObject({
      statusCode: 401,
      body: { error: 'no key' },
    });
    const limited = run(
      new FacilitatorException(FacilitatorErrorCode.RATE_LIMITED, 'slow down', { retryAfterSeconds: 3 }),
      '/verify',
    );
    expect(limited).toMatchObject({ statusCode: 429, headers: { 'Retry-After': '3' } });
    const internal = run(new Error('secret stack detail'), '/verify');
    expect(internal.statusCode).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('secret');
  });
});
