import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Small programs for `latchkey run` to start, written into a test's folder: each does one thing a real
 * program does (report its environment, handle signals, ignore SIGTERM, write slowly) and says what it
 * saw on its standard output, so the test checks the program's side, not Latchkey's.
 */
const PROGRAMS = {
  /** Prints {name: value} for the names in its arguments (all variables without arguments), then its argv. */
  'env-json.cjs': `
const names = process.argv.slice(2);
const picked = names.length === 0 ? process.env : Object.fromEntries(names.map((name) => [name, process.env[name] ?? null]));
process.stdout.write(JSON.stringify({ env: picked, argv: process.argv.slice(2), count: Object.keys(process.env).length }) + '\\n');
`,
  /** Reports each signal it gets; exits 10 + the number of signals 400 ms after the first. */
  'signals.cjs': `
let count = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2']) {
  process.on(signal, () => {
    count += 1;
    process.stdout.write('got ' + signal + '\\n');
    if (count === 1) setTimeout(() => process.exit(10 + count), 400);
  });
}
process.stdout.write('ready ' + process.pid + '\\n');
setInterval(() => undefined, 1000);
`,
  /** Says which value of $WATCHED it started with, ignores SIGTERM, and runs until killed. */
  'stubborn.cjs': `
process.on('SIGTERM', () => process.stdout.write('ignoring SIGTERM ' + process.pid + '\\n'));
process.stdout.write('started ' + process.pid + ' with ' + process.env.WATCHED + '\\n');
setInterval(() => undefined, 1000);
`,
  /** Writes the values of the variables named in its arguments to stdout and stderr one byte at a time, with pauses. */
  'trickle.cjs': `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  for (const name of process.argv.slice(2)) {
    const bytes = Buffer.from('[' + name + ': ' + process.env[name] + ']\\n', 'utf8');
    for (const byte of bytes) {
      process.stdout.write(Buffer.from([byte]));
      await sleep(2);
    }
    process.stderr.write('err ' + process.env[name].slice(0, 3));
    await sleep(30);
    process.stderr.write(process.env[name].slice(3) + ' end\\n');
  }
})();
`,
  /** Prints "ready <pid>" and waits for standard input to end (or a signal), echoing what it read. */
  'hold.cjs': `
process.stdout.write('ready ' + process.pid + '\\n');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => { process.stdout.write('read ' + JSON.stringify(input) + '\\n'); process.exit(0); });
process.on('SIGTERM', () => process.exit(0));
`,
};

export type ProgramName = keyof typeof PROGRAMS;

export async function writePrograms(folder: string): Promise<(name: ProgramName) => string> {
  await mkdir(folder, { recursive: true });
  for (const [name, source] of Object.entries(PROGRAMS)) {
    const path = join(folder, name);
    await writeFile(path, `#!${process.execPath}\n${source.trimStart()}`);
    await chmod(path, 0o755);
  }
  return (name) => join(folder, name);
}
