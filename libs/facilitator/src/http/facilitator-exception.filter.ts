import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ExactEvmErrorCode, ExactEvmException } from '@x402-ledger/evm';
import { GenericReason, ProtocolErrorCode, ProtocolException } from '@x402-ledger/protocol';
import type { Request, Response } from 'express';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { errorBody, networkOf, routeOf, serverReason } from './facilitator-route';

const FACILITATOR_STATUS: Record<FacilitatorErrorCode, number> = {
  [FacilitatorErrorCode.UNAUTHENTICATED]: 401,
  [FacilitatorErrorCode.RATE_LIMITED]: 429,
  [FacilitatorErrorCode.BODY_TOO_LARGE]: 400,
  [FacilitatorErrorCode.PAYMENT_IDENTIFIER_CONFLICT]: 409,
  [FacilitatorErrorCode.TIMEOUT]: 503,
  [FacilitatorErrorCode.NOT_RECORDED]: 503,
};

const PROTOCOL_REASON: Record<ProtocolErrorCode, string> = {
  [ProtocolErrorCode.INVALID_REQUEST]: GenericReason.InvalidPayload,
  [ProtocolErrorCode.UNSUPPORTED_VERSION]: GenericReason.InvalidX402Version,
  [ProtocolErrorCode.UNKNOWN_V1_NETWORK]: GenericReason.InvalidNetwork,
  [ProtocolErrorCode.INVALID_HEADER]: GenericReason.InvalidPayload,
};

/**
 * The one place where the facilitator's exceptions become HTTP answers. Bad input is 400 with a clear message and a
 * protocol-shaped body (so `@x402/express` still answers its buyer 402, never 502); an unavailable chain or event log
 * is 503; nothing a client sends produces a 500.
 */
@Catch()
export class FacilitatorExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(FacilitatorExceptionFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const route = routeOf(request.path);
    const network = networkOf(request.body);
    const { status, body } = this.map(error, route, network);
    if (status >= 500)
      this.logger.error(
        `${request.method} ${request.path} → ${status}: ${(error as Error)?.message}`,
        (error as Error)?.stack,
      );
    if (error instanceof FacilitatorException && error.retryAfterSeconds)
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(status).json(body);
  }

  private map(
    error: unknown,
    route: ReturnType<typeof routeOf>,
    network: string,
  ): { status: number; body: Record<string, unknown> } {
    if (error instanceof ProtocolException) {
      return { status: 400, body: errorBody(route, PROTOCOL_REASON[error.code], error.message, network) };
    }
    if (error instanceof ExactEvmException) {
      switch (error.code) {
        case ExactEvmErrorCode.INVALID_PAYLOAD:
          return { status: 400, body: errorBody(route, GenericReason.InvalidPayload, error.message, network) };
        case ExactEvmErrorCode.INVALID_REQUIREMENTS:
          return {
            status: 400,
            body: errorBody(route, GenericReason.InvalidPaymentRequirements, error.message, network),
          };
        case ExactEvmErrorCode.UNKNOWN_NETWORK:
          return { status: 400, body: errorBody(route, GenericReason.InvalidNetwork, error.message, network) };
        default:
          return { status: 503, body: errorBody(route, serverReason(route), error.message, network) };
      }
    }
    if (error instanceof FacilitatorException) {
      const status = FACILITATOR_STATUS[error.code];
      if (status === 401 || status === 429) return { status, body: { error: error.message } };
      const reason =
        error.code === FacilitatorErrorCode.PAYMENT_IDENTIFIER_CONFLICT
          ? 'payment_identifier_conflict'
          : error.code === FacilitatorErrorCode.BODY_TOO_LARGE
            ? GenericReason.InvalidPayload
            : serverReason(route);
      return { status, body: errorBody(route, reason, error.message, network) };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const reason = status < 500 ? GenericReason.InvalidPayload : serverReason(route);
      return { status: status === 413 ? 400 : status, body: errorBody(route, reason, error.message, network) };
    }
    return { status: 500, body: errorBody(route, serverReason(route), 'internal error', network) };
  }
}
