import { Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import { SessionsAuth } from '../auth/sessions-auth';

const PUBLIC = 'sessions:public';
const PRINCIPAL = Symbol('sessions:principal');

/** Marks a route that needs no API key (JWKS, revocation feed). */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);

/** Injects the authenticated Principal. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<Request & { [PRINCIPAL]?: Principal }>()[PRINCIPAL]!,
);

/** Bearer API key → Principal for every sessions route not marked @PublicRoute(). */
@Injectable()
export class SessionsAuthGuard implements CanActivate {
  constructor(
    private readonly auth: SessionsAuth,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request & { [PRINCIPAL]?: Principal }>();
    const tenant = req.headers['x-tenant'];
    req[PRINCIPAL] = await this.auth.authenticate({
      authorization: req.headers.authorization,
      tenant: typeof tenant === 'string' ? tenant : undefined,
      remoteAddress: req.socket.remoteAddress,
    });
    return true;
  }
}
