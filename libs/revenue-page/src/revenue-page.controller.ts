import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';

const ASSETS = join(__dirname, 'assets');
/** Scripts and styles from this origin only; data only from this origin's GraphQL (HTTP and WebSocket). */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function asset(name: string): string {
  return readFileSync(join(ASSETS, name), 'utf8');
}

/**
 * The built-in revenue page at `/` (static: HTML, one script, one stylesheet, read once at start) for people who do
 * not run Grafana. It talks to `/graphql` with the key the user enters (or, in dev mode, the dev admin key from
 * `/dev`), and refreshes on the API's live subscriptions.
 */
@Controller()
export class RevenuePageController {
  private readonly html = asset('index.html');
  private readonly script = asset('app.js');
  private readonly style = asset('app.css');

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  @Header('cache-control', 'no-cache')
  page(): string {
    return this.html;
  }

  @Get('ui/app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  appScript(): string {
    return this.script;
  }

  @Get('ui/app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  appStyle(): string {
    return this.style;
  }
}
