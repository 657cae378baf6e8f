import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * Runs a command rotator's hook once, the way SECURITY.md promises:
 *
 * - the executable itself, never through a shell (no `shell: true`, no command string to parse);
 * - the secret value on **stdin** only (exactly the value, no newline added), never in its arguments
 *   (it gets none) or its environment;
 * - a JSON context on **fd 3** and in `LATCHKEY_ROTATION_CONTEXT` (ref, project, environment, phase…,
 *   never a value): fd 3 keeps it out of the environment that child processes inherit, the variable is
 *   there for hooks that cannot read fd 3 (Windows);
 * - a small, explicit environment (PATH, HOME, locale, temp folder) instead of Latchkey's own, which may
 *   hold credentials (AWS_*, LATCHKEY_REDIS_URL) the hook has no business seeing;
 * - a time limit: at the deadline its whole process group gets SIGTERM, and SIGKILL after a grace;
 * - its output captured in a bounded buffer (the last bytes of each stream), and watched for the
 *   secret values: a hook that prints one is reported and its output is dropped, never stored or shown.
 */
export interface HookRun {
  /** Absolute path of the executable (resolve-hook-executable.ts). */
  executable: string;
  /** Written to fd 3 and LATCHKEY_ROTATION_CONTEXT as JSON; must hold no value. */
  context: Record<string, unknown>;
  /** Written to stdin, then stdin is closed. Absent: stdin is closed at once. */
  value?: string;
  /** Values that must never appear in the hook's output (the new and the old one). */
  watch: string[];
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: number;
  signal?: AbortSignal;
  /** Kept of each of stdout and stderr (the last bytes). Default 64 KiB. */
  maxOutputBytes?: number;
  /** Where PATH, HOME … are taken from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface HookResult {
  exitCode: number | null;
  /** The signal that ended it (after a timeout: SIGTERM or SIGKILL). */
  exitSignal: NodeJS.Signals | null;
  /** Ended by the time limit or the caller's signal, not on its own. */
  stopped: 'timeout' | 'aborted' | undefined;
  /** It wrote one of the watched values to stdout or stderr; `output` is then empty. */
  printedValue: boolean;
  /** The end of what it wrote to stderr (or stdout when stderr was empty), at most a few hundred characters. */
  output: string;
  /** It could not be started at all (ENOENT, EACCES …). */
  spawnError?: NodeJS.ErrnoException;
}

const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'SystemRoot', 'COMSPEC', 'ComSpec', 'PATHEXT', 'WINDIR', 'TEMP', 'TMP'];
const SHOWN_OUTPUT_CHARS = 500;
/** How long to wait for the output pipes after the hook exited: a process it left behind may hold them. */
const DRAIN_MS = 200;

export function runHook(run: HookRun): Promise<HookResult> {
  const contextJson = JSON.stringify(run.context);
  const env: NodeJS.ProcessEnv = { LATCHKEY_ROTATION_CONTEXT: contextJson };
  const source = run.env ?? process.env;
  for (const name of PASSED_ENV) if (source[name] !== undefined) env[name] = source[name];

  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(run.executable, [], {
        cwd: dirname(run.executable),
        env,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        // Its own process group, so a timeout ends the hook and everything it started.
        detached: process.platform !== 'win32',
      });
    } catch (error) {
      resolve({ exitCode: null, exitSignal: null, stopped: undefined, printedValue: false, output: '', spawnError: error as NodeJS.ErrnoException });
      return;
    }

    const watch = run.watch.filter((value) => value.length > 0).map((value) => Buffer.from(value, 'utf8'));
    const stdout = new BoundedCapture(run.maxOutputBytes ?? 65_536, watch);
    const stderr = new BoundedCapture(run.maxOutputBytes ?? 65_536, watch);
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));

    let stopped: HookResult['stopped'];
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'aborted') => {
      if (stopped !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      stopped = why;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), run.killGraceMs);
    };
    const deadline = setTimeout(() => stop('timeout'), run.timeoutMs);
    const onAbort = () => stop('aborted');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted === true) onAbort();

    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      finish(null, null);
    });
    child.on('exit', (code, signal) => finish(code, signal));

    // A hook may close stdin or fd 3 without reading them (EPIPE): that alone is not a failure, its exit code decides.
    feed(child.stdin, run.value);
    feed(child.stdio[3] as Writable | null | undefined, `${contextJson}\n`);

    let finished = false;
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      if (killTimer !== undefined) clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
      const streams = [child.stdout, child.stderr].filter((stream) => stream !== null && stream !== undefined);
      const drained = Promise.all(streams.map((stream) => new Promise<void>((done) => (stream.readableEnded || stream.destroyed ? done() : stream.once('close', () => done())))));
      const drainTimer = new Promise<void>((done) => setTimeout(done, DRAIN_MS).unref());
      void Promise.race([drained, drainTimer]).then(() => {
        for (const stream of streams) stream.destroy();
        for (const stream of [child.stdin, child.stdio[3]]) (stream as Writable | null | undefined)?.destroy();
        const printedValue = stdout.sawValue || stderr.sawValue;
        const shown = printedValue ? '' : lastCharacters(stderr.text() || stdout.text(), SHOWN_OUTPUT_CHARS);
        resolve({ exitCode: code, exitSignal: signal, stopped, printedValue, output: shown, ...(spawnError === undefined ? {} : { spawnError }) });
      });
    }
  });
}

function feed(stream: Writable | null | undefined, text: string | undefined): void {
  if (stream === null || stream === undefined) return;
  stream.on('error', () => undefined);
  if (text === undefined || text === '') stream.end();
  else stream.end(text);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Printable text only, trimmed to the last `limit` characters. */
function lastCharacters(text: string, limit: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  return clean.length <= limit ? clean : `…${clean.slice(-limit)}`;
}

/**
 * The last `limit` bytes of a stream, and whether any watched value went through it — found even when
 * it is split across chunks or lies in the part no longer kept.
 */
class BoundedCapture {
  private kept = Buffer.alloc(0);
  private carry = Buffer.alloc(0);
  sawValue = false;
  private readonly overlap: number;

  constructor(
    private readonly limit: number,
    private readonly watch: Buffer[],
  ) {
    this.overlap = Math.max(0, ...watch.map((value) => value.length - 1));
  }

  add(chunk: Buffer): void {
    if (!this.sawValue && this.watch.length > 0) {
      const window = Buffer.concat([this.carry, chunk]);
      if (this.watch.some((value) => window.includes(value))) {
        this.sawValue = true;
        this.kept = Buffer.alloc(0);
      }
      this.carry = Buffer.from(window.subarray(Math.max(0, window.length - this.overlap)));
    }
    if (this.sawValue) return;
    this.kept = Buffer.concat([this.kept, chunk]);
    if (this.kept.length > this.limit) this.kept = this.kept.subarray(this.kept.length - this.limit);
  }

  text(): string {
    return this.kept.toString('utf8');
  }
}
