import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';

const STATUS: Record<DiscoveryErrorCode, number> = {
  [DiscoveryErrorCode.INVALID_REQUEST]: 400,
  [DiscoveryErrorCode.UNAUTHENTICATED]: 401,
  [DiscoveryErrorCode.REJECTED_METADATA]: 422,
  [DiscoveryErrorCode.FETCH_FAILED]: 502,
  [DiscoveryErrorCode.INVALID_CONFIG]: 500,
};

/** The one place where discovery errors become HTTP answers: `{error: code, message}` with the mapped status. */
@Catch()
export class DiscoveryExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(DiscoveryExceptionFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof DiscoveryException) {
      response.status(STATUS[error.code]).json({ error: error.code, message: error.message });
      return;
    }
    if (error instanceof HttpException) {
      response.status(error.getStatus()).json({ error: 'HTTP_ERROR', message: error.message });
      return;
    }
    this.logger.error(`discovery request failed: ${(error as Error)?.message}`, (error as Error)?.stack);
    response.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  }
}
