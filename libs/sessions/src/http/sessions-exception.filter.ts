import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { LedgerErrorCode, LedgerException } from '@x402-ledger/ledger';
import type { Response } from 'express';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';

const STATUS: Record<SessionsErrorCode, number> = {
  [SessionsErrorCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
  [SessionsErrorCode.UNAUTHORIZED]: HttpStatus.UNAUTHORIZED,
  [SessionsErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
  [SessionsErrorCode.SIWX_REJECTED]: HttpStatus.UNAUTHORIZED,
  [SessionsErrorCode.NONCE_REPLAYED]: HttpStatus.CONFLICT,
  [SessionsErrorCode.PAYMENT_NOT_SETTLED]: HttpStatus.NOT_FOUND,
  [SessionsErrorCode.PAYER_MISMATCH]: HttpStatus.FORBIDDEN,
  [SessionsErrorCode.POLICY_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [SessionsErrorCode.POLICY_NOT_COVERED]: HttpStatus.FORBIDDEN,
  [SessionsErrorCode.INVALID_POLICY]: HttpStatus.BAD_REQUEST,
  [SessionsErrorCode.SESSION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [SessionsErrorCode.SESSION_EXHAUSTED]: HttpStatus.PAYMENT_REQUIRED,
  [SessionsErrorCode.SESSION_ENDED]: HttpStatus.GONE,
  [SessionsErrorCode.NO_ENTITLEMENT]: HttpStatus.PAYMENT_REQUIRED,
  [SessionsErrorCode.UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [SessionsErrorCode.NOT_OWNER]: HttpStatus.SERVICE_UNAVAILABLE,
  [SessionsErrorCode.WRITE_CONFLICT]: HttpStatus.SERVICE_UNAVAILABLE,
};

const RETRYABLE = new Set([SessionsErrorCode.NOT_OWNER, SessionsErrorCode.WRITE_CONFLICT]);

/** The one transport filter of the sessions module: error codes → HTTP statuses, body `{ code, message, reason? }`. */
@Catch(SessionsException, LedgerException)
export class SessionsExceptionFilter implements ExceptionFilter {
  catch(exception: SessionsException | LedgerException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof SessionsException) {
      if (RETRYABLE.has(exception.code)) {
        const seconds = Math.max(1, Math.ceil((exception.details?.retryAfterMs ?? 1000) / 1000));
        res.setHeader('Retry-After', String(seconds));
      }
      const ownerUrl = exception.details?.ownerUrl;
      res.status(STATUS[exception.code]).json({
        code: exception.code,
        message: exception.message,
        ...(exception.reason === undefined ? {} : { reason: exception.reason }),
        ...(RETRYABLE.has(exception.code) ? { retryable: true } : {}),
        ...(ownerUrl ? { ownerUrl } : {}),
      });
      return;
    }
    const status =
      exception.code === LedgerErrorCode.INVALID_COMMAND || exception.code === LedgerErrorCode.INVALID_ID_INPUT
        ? HttpStatus.BAD_REQUEST
        : HttpStatus.CONFLICT;
    res.status(status).json({ code: exception.code, message: exception.message });
  }
}
