import type { NextFunction, Request, Response } from 'express';
import { GenericReason } from '@x402-ledger/protocol';
import { errorBody, routeOf } from './facilitator-route';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

/**
 * Express error middleware for errors raised by the app's body parser BEFORE a facilitator route runs (malformed
 * JSON, body too large, bad charset). Registered by FacilitatorModule after the routes and before Nest's own error
 * handler; answers only facilitator paths with a protocol-shaped 400, passes everything else on.
 */
export function facilitatorBodyErrorHandler(
  error: BodyParserError,
  request: Request,
  response: Response,
  next: NextFunction,
): void {
  const route = routeOf(request.path);
  if (!route || response.headersSent || typeof error?.status !== 'number' || error.status >= 500 || !error.type) {
    next(error);
    return;
  }
  const message =
    error.type === 'entity.parse.failed'
      ? `malformed JSON: ${error.message}`
      : error.type === 'entity.too.large'
        ? 'request body too large'
        : `unreadable request body: ${error.message}`;
  response.status(400).json(errorBody(route, GenericReason.InvalidPayload, message));
}
