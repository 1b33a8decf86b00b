import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AuthErrorCode, AuthException } from '@x402-ledger/auth';
import type { Response } from 'express';
import { WebhooksErrorCode, WebhooksException } from '../webhooks.exception';

const WEBHOOKS_STATUS: Record<WebhooksErrorCode, number> = {
  [WebhooksErrorCode.NOT_FOUND]: 404,
  [WebhooksErrorCode.INVALID_INPUT]: 400,
  [WebhooksErrorCode.MISSING_HEADERS]: 400,
  [WebhooksErrorCode.TIMESTAMP_OUT_OF_TOLERANCE]: 400,
  [WebhooksErrorCode.SIGNATURE_INVALID]: 400,
  [WebhooksErrorCode.MALFORMED_BODY]: 400,
};

const AUTH_STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.UNAUTHENTICATED]: 401,
  [AuthErrorCode.SIGN_IN_REJECTED]: 401,
  [AuthErrorCode.FORBIDDEN]: 403,
  [AuthErrorCode.INVALID_INPUT]: 400,
  [AuthErrorCode.KEY_NOT_FOUND]: 404,
  [AuthErrorCode.NOT_READY]: 503,
};

/** The one place the webhook management API's errors become HTTP answers: `{ error: CODE, message }`. */
@Catch()
export class WebhooksExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebhooksApi');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message } = classify(error);
    if (status >= 500)
      this.logger.error(`webhooks api ${status}: ${(error as Error)?.message}`, (error as Error)?.stack);
    response.status(status).json({ error: code, message });
  }
}

function classify(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof WebhooksException)
    return { status: WEBHOOKS_STATUS[error.code], code: error.code, message: error.message };
  if (error instanceof AuthException)
    return { status: AUTH_STATUS[error.code], code: error.code, message: error.message };
  if (error instanceof HttpException && error.getStatus() < 500)
    return { status: error.getStatus(), code: 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL', message: 'Internal error' };
}
