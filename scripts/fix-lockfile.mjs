// Adds lock entries for platform-specific optional dependencies that this machine's npm registry does not serve
// (it answers 404 for other platforms' binaries, e.g. @swc/core-darwin-arm64), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. Each added entry carries the version its parent
// asks for plus os/cpu/libc, so npm skips it on non-matching platforms and installs it where it matches.
// Run after any `npm install` that changes the lock: `node scripts/fix-lockfile.mjs` (idempotent; --check to verify).
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'openbsd', 'netbsd', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name) {
  const base = name.split('/').pop();
  const parts = base.split('-');
  const os = OS.find((o) => parts.includes(o));
  const cpu = CPU.find(
    (c) => parts.includes(c) || parts.some((p) => p.startsWith(c) && /^(arm|arm64)/.test(c) && p === c),
  );
  if (!os || !cpu) return null;
  const libc = parts.some((p) => p.startsWith('musl'))
    ? ['musl']
    : parts.some((p) => p.startsWith('gnu')) && os === 'linux'
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
const missing = [];
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    const nested = `${key}/node_modules/${dep}`;
    if (pkgs[target] || pkgs[nested]) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+/.test(spec)) continue;
    missing.push(dep);
    if (!process.argv.includes('--check')) {
      pkgs[target] = { version: spec.replace(/^[=^~]/, ''), ...platform, optional: true };
      added++;
    }
  }
}
if (process.argv.includes('--check')) {
  if (missing.length) {
    console.error(
      `package-lock.json lacks ${missing.length} platform entries (run node scripts/fix-lockfile.mjs): ${missing.join(', ')}`,
    );
    process.exit(1);
  }
  console.log('package-lock.json has every platform entry');
} else {
  lock.packages = Object.fromEntries(
    Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
  );
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added ${added} platform entries to package-lock.json`);
}
