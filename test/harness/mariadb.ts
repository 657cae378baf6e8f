import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection, type ConnectionOptions } from 'mysql2/promise';
import { freePort } from './ports';

/**
 * A real MariaDB server (Debian's mariadb-server) in a throwaway data directory on a free loopback
 * port, started and stopped by the test file that needs it (one per file: installing and starting one
 * takes a few seconds on a loaded 2-core machine). Every statement the server receives is written to
 * its general query log, so a test can check that no plaintext password ever reached it.
 *
 * The OS root user administers it over the Unix socket (MariaDB's root@localhost authenticates by
 * unix_socket after mariadb-install-db); the accounts a test rotates log in over TCP with passwords.
 */
export interface MariaDbServer {
  host: '127.0.0.1';
  port: number;
  dir: string;
  /** Runs statements as root over the socket; `values` are sent as placeholders. */
  query<T = unknown>(sql: string, values?: unknown[]): Promise<T>;
  /** Logs in over TCP as a user would; rejects as the server answers (e.g. ER_ACCESS_DENIED_ERROR). */
  connect(user: string, password: string, options?: Partial<ConnectionOptions>): Promise<Connection>;
  /** True when `user` can log in with `password` over TCP. */
  accepts(user: string, password: string): Promise<boolean>;
  /** Everything the general query log holds so far. */
  generalLog(): Promise<string>;
  /** The server's own error log (start-up trouble). */
  errorLog(): Promise<string>;
  /** SIGKILL: the server is gone at once, as in a crash or a network cut. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after kill or stop). */
  start(): Promise<void>;
  /** SIGTERM, waits for it to exit, and removes the data directory. */
  stop(): Promise<void>;
}

const MARIADBD = process.env.LATCHKEY_MARIADBD ?? 'mariadbd';
const INSTALL_DB = process.env.LATCHKEY_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

export function mariadbAvailable(): boolean {
  return spawnSync(MARIADBD, ['--version']).status === 0 && spawnSync(INSTALL_DB, ['--help']).status === 0;
}

/** Small InnoDB files and buffers: these servers hold a handful of accounts, and start faster so. */
const LEAN = ['--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--skip-log-bin', '--skip-name-resolve', '--loose-skip-feedback'];

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${command} failed (${code}): ${output.slice(-2000)}`);
}

async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-mariadb-'));
  const datadir = join(dir, 'data');
  const socketPath = join(dir, 'sock');
  const generalLogFile = join(dir, 'general.log');
  const errorLogFile = join(dir, 'error.log');
  // --no-defaults first: the machine's /etc/mysql configuration must not leak into a test server.
  await run(INSTALL_DB, ['--no-defaults', '--user=root', `--datadir=${datadir}`, '--skip-test-db', ...LEAN]);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        '--user=root',
        `--datadir=${datadir}`,
        `--socket=${socketPath}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(dir, 'pid')}`,
        `--log-error=${errorLogFile}`,
        '--general-log',
        `--general-log-file=${generalLogFile}`,
        '--log-output=FILE',
        ...LEAN,
      ],
      { stdio: 'ignore' },
    );
    const started = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`mariadbd exited during start-up: ${(await readFile(errorLogFile, 'utf8').catch(() => '')).slice(-2000)}`);
      }
      const ready = await rootConnection()
        .then(async (connection) => {
          await connection.end();
          return true;
        })
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`mariadbd did not accept connections within 60 s: ${(await readFile(errorLogFile, 'utf8').catch(() => '')).slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const rootConnection = () => createConnection({ socketPath, user: 'root', multipleStatements: false });

  const connect = (user: string, password: string, options: Partial<ConnectionOptions> = {}) =>
    createConnection({ host: '127.0.0.1', port, user, password, connectTimeout: 10_000, ...options });

  await start();
  return {
    host: '127.0.0.1',
    port,
    dir,
    async query<T>(sql: string, values: unknown[] = []): Promise<T> {
      const connection = await rootConnection();
      try {
        const [rows] = await connection.query(sql, values);
        return rows as T;
      } finally {
        await connection.end();
      }
    },
    connect,
    async accepts(user, password) {
      try {
        const connection = await connect(user, password);
        await connection.end();
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
        throw error;
      }
    },
    generalLog: () => readFile(generalLogFile, 'utf8').catch(() => ''),
    errorLog: () => readFile(errorLogFile, 'utf8').catch(() => ''),
    kill: () => killChild(child, 'SIGKILL'),
    start,
    async stop() {
      await killChild(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
