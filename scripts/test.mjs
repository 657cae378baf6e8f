#!/usr/bin/env node
// `npm test`: type-check, lint, build, then the unit, integration and e2e suites. Integration and e2e
// run inside a private D-Bus session with an unlocked gnome-keyring (scripts/with-keyring.sh), so they
// reach a real Secret Service and never touch your own keychain. Every stage runs; the summary at the
// end says which failed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const insideKeyring = process.env.LATCHKEY_KEYRING_SESSION === '1';
const hasDbusRunSession = spawnSync('sh', ['-c', 'command -v dbus-run-session'], { stdio: 'ignore' }).status === 0;
const withKeyring = (command) => (insideKeyring || !hasDbusRunSession ? command : ['scripts/with-keyring.sh', ...command]);

const stages = [
  ['type-check', ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', ['npx', 'eslint', '.']],
  ['build', ['npx', 'electron-vite', 'build']],
  ['unit', ['npx', 'vitest', 'run', '--project', 'unit']],
  ['integration', withKeyring(['npx', 'vitest', 'run', '--project', 'integration'])],
  ['e2e', withKeyring(['npx', 'vitest', 'run', '--project', 'e2e'])],
];

const results = [];
for (const [name, [command, ...args]] of stages) {
  const started = Date.now();
  process.stdout.write(`\n=== ${name}: ${[command, ...args].join(' ')}\n`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  results.push({ name, ok: status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

process.stdout.write('\n=== summary\n');
for (const { name, ok, seconds } of results) process.stdout.write(`${ok ? 'pass' : 'FAIL'}  ${name.padEnd(12)} ${seconds}s\n`);
process.exit(results.every((result) => result.ok) ? 0 : 1);
