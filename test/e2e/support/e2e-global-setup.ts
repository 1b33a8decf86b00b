import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import servicesSetup from '../../setup/global-setup';

/** e2e tier: build dist/ once (tests then spawn the real `npm start` with the build skipped), then start services. */
export default async function e2eGlobalSetup(): Promise<void> {
  if (process.env.X402_SKIP_BUILD !== '1') {
    const root = join(__dirname, '..', '..', '..');
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    process.env.X402_SKIP_BUILD = '1';
  }
  await servicesSetup();
}
