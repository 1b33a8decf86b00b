// Stops the services test/setup/global-setup.ts started, once, after the last Jest project that took them is done.
import { releaseTestServices } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await releaseTestServices();
}
