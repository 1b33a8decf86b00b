import { Controller, Get, Inject } from '@nestjs/common';
import { DEV_INFO, type DevInfo } from './dev-info';

/** GET /dev — registered only in dev mode (see DaemonModule). */
@Controller('dev')
export class DevController {
  constructor(@Inject(DEV_INFO) private readonly info: { current?: DevInfo }) {}

  @Get()
  get(): DevInfo | undefined {
    return this.info.current;
  }
}
