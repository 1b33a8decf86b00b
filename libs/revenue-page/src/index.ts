// Public API of the built-in revenue page (a static front end over the GraphQL API).
export { RevenuePageModule } from './revenue-page.module';
