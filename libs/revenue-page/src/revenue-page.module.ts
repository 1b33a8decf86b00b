import { Module } from '@nestjs/common';
import { RevenuePageController } from './revenue-page.controller';

/** Serves the built-in revenue page at `/` (needs the GraphQL API in the same process: ApiModule). */
@Module({ controllers: [RevenuePageController] })
export class RevenuePageModule {}
