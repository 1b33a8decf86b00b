import { isLoopbackAddress } from '@x402-ledger/observability';
import { Controller, Get, Inject, NotFoundException, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DEV_INFO, type DevInfo } from './dev-info';

/**
 * GET /dev — registered only in dev mode (see DaemonModule), and answered only on a loopback connection: it shows the
 * dev admin key and the dev wallets' keys (the revenue page uses the admin key when it runs on the same machine).
 */
@Controller('dev')
export class DevController {
  constructor(@Inject(DEV_INFO) private readonly info: { current?: DevInfo }) {}

  @Get()
  get(@Req() request: Request): DevInfo | undefined {
    if (!isLoopbackAddress(request.socket.remoteAddress)) throw new NotFoundException();
    return this.info.current;
  }
}
