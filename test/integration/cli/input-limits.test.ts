import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

// Issue 15, items 12 and 14, on the built CLI: a FIFO made `env import` and `import mycelium` hang,
// `env import /dev/zero` read ~600 MB, `sessions validate --token-stdin </dev/zero` grew without bound,
// a 300 MB value was read whole before being refused; and empty standard input blanked a secret.
// Files must be regular files, every read stops at its documented limit, and empty input is refused.

const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));
const MiB = 1024 * 1024;

/**
 * Runs the CLI with an endless standard input and counts what it took before it stopped reading: the
 * writer is refused (EPIPE) once the CLI has exited and closed its end.
 */
function feedEndlessly(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; consumed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    let consumed = 0;
    let open = true;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.stdin.on('error', () => (open = false));
    const pump = () => {
      while (open && consumed < 400 * MiB) {
        consumed += chunk.length;
        if (!child.stdin.write(chunk)) {
          child.stdin.once('drain', pump);
          return;
        }
      }
      child.stdin.end();
    };
    pump();
    child.on('error', reject);
    child.on('close', (code) => {
      open = false;
      resolve({ code, stderr, consumed });
    });
  });
}

describeWithKeyring('input limits of the built CLI (real files, FIFOs and devices, real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    xdg = await createTempXdg();
    expect((await run(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], 'kept-value')).code).toBe(0);
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('a FIFO, a device or a folder is refused at once by env import and import mycelium', async () => {
    const fifo = join(xdg.root, 'secrets.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    for (const args of [
      ['env', 'import', fifo, '--project', 'shop', '--env', 'dev', '--yes'],
      ['import', 'mycelium', fifo, '--project', 'shop', '--env', 'dev'],
      ['env', 'import', '/dev/zero', '--project', 'shop', '--env', 'dev', '--yes'],
      ['import', 'mycelium', '/dev/zero', '--project', 'shop', '--env', 'dev', '--force'],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr, args.join(' ')).toContain('is not a regular file');
    }
    expect((await run(['env', 'import', xdg.root, '--project', 'shop', '--env', 'dev'])).stderr).toContain('is a folder');
  });

  it('a .env file over 1 MiB is refused without being read whole', async () => {
    const big = join(xdg.root, 'big.env');
    await writeFile(big, `A=${'x'.repeat(MiB)}\n`);
    const result = await run(['env', 'import', big, '--project', 'shop', '--env', 'dev', '--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('The .env file is larger than 1 MiB');
  });

  it('an endless value on standard input is refused after 1 MiB; an endless token after 4 KiB; nothing is stored', async () => {
    const value = await feedEndlessly(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], xdg.env);
    expect(value.code).toBe(3);
    expect(value.stderr).toContain('The value on standard input is larger than 1 MiB');
    // What the CLI took before it stopped: the limit, plus what the pipe and one read hold.
    expect(value.consumed).toBeLessThan(8 * MiB);
    const token = await feedEndlessly(['sessions', 'validate', '--token-stdin', '--redis', 'redis://127.0.0.1:9'], xdg.env);
    expect(token.code).toBe(3);
    expect(token.stderr).toContain('The token on standard input is larger than 4 KiB');
    expect(token.consumed).toBeLessThan(4 * MiB);
    expect((await run(['secrets', 'get', 'file://shop/dev/API_KEY'])).stdout).toBe('kept-value');
  });

  it('empty standard input does not blank a secret unless --allow-empty is given', async () => {
    const empty = await run(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('standard input was empty');
    // `echo | latchkey …` gives one newline, which is dropped: still empty.
    expect((await run(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], '\n')).code).toBe(2);
    expect((await run(['secrets', 'get', 'file://shop/dev/API_KEY'])).stdout).toBe('kept-value');
    expect((await run(['secrets', 'set', 'file://shop/dev/EMPTY_ON_PURPOSE', '--value-stdin', '--allow-empty'], '')).code).toBe(0);
    expect((await run(['secrets', 'get', 'file://shop/dev/EMPTY_ON_PURPOSE', '--json'])).stdout).toContain('"value":""');
  });
});
