import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { describe } from 'vitest';
import { nativePasswordHash } from '../../electron/core/services/mysql/native-password';
import { describeWithKeyring } from './keyring';
import { freePort } from './ports';

/**
 * A real MariaDB server (Debian's mariadb-server 10.11) for one test file, in a throwaway data directory
 * on a free loopback port, started by the test itself and stopped afterwards (one per file: installing
 * and starting one takes a few seconds on a loaded 2-core machine).
 *
 * Every statement the server receives is written to its general query log (`log()`), so a test can
 * prove that no plaintext password ever reached it. The OS root user administers the server over its
 * Unix socket (root@localhost authenticates by unix_socket after mariadb-install-db); `admin` is an
 * account with every privilege that logs in over TCP with a password, as a service's admin would.
 */
export interface MariaDbServer {
  host: '127.0.0.1';
  port: number;
  /** An account with ALL PRIVILEGES WITH GRANT OPTION, and its password. */
  admin: { user: string; password: string };
  /** mysql://admin:pw@127.0.0.1:PORT/ */
  adminUrl: string;
  /** Runs one statement as root over the socket (a fresh connection per call); `values` fill `?` placeholders. */
  sql<T = unknown>(text: string, values?: unknown[]): Promise<T>;
  /** A root session over the socket that stays open until ended (to hold a lock while a test acts). */
  root(): Promise<Connection>;
  /** Logs in over TCP as a user would; rejects as the server answers (ER_ACCESS_DENIED_ERROR …). */
  connect(user: string, password: string): Promise<Connection>;
  /** True when `user` logs in with `password` over TCP; false when the server refuses it (wrong password, locked account). */
  canLogin(user: string, password: string): Promise<boolean>;
  /** Everything the general query log holds so far. */
  log(): Promise<string>;
  /** SIGKILL: the server is gone at once, as in a crash or a network cut; `start()` brings it back. */
  kill(): Promise<void>;
  /** SIGTERM, and waits until it has exited; keeps its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** A program on PATH, else in the folder Debian installs it to (/usr/sbin is not on every user's PATH). */
function installed(name: string, folder: string): string {
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, name)));
  return onPath || !existsSync(join(folder, name)) ? name : join(folder, name);
}

const MARIADBD = process.env.LATCHKEY_MARIADBD ?? installed('mariadbd', '/usr/sbin');
const INSTALL_DB = process.env.LATCHKEY_MARIADB_INSTALL_DB ?? installed('mariadb-install-db', '/usr/bin');
/** The server's answer to a login with a locked account (ER_ACCOUNT_HAS_BEEN_LOCKED). */
const ACCOUNT_LOCKED = 4151;

export function mariadbAvailable(): boolean {
  // mariadb-install-db has no --version, and exits 1 after --help; that it ran at all is what counts.
  return spawnSync(MARIADBD, ['--version']).status === 0 && spawnSync(INSTALL_DB, ['--help']).error === undefined;
}

/**
 * describe() for tests that need a real MariaDB (and, unless `keyring: false`, the real keyring). Where
 * MariaDB is not installed the tests skip and say why; under CI=true they fail loudly instead.
 */
export function describeWithMariaDb(name: string, body: () => void, options: { keyring?: boolean } = {}): void {
  if (mariadbAvailable()) {
    if (options.keyring === false) describe(name, body);
    else describeWithKeyring(name, body);
    return;
  }
  const reason = `MariaDB is not installed (${MARIADBD}, ${INSTALL_DB}); install Debian's mariadb-server package`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`CI=true but ${reason}.`);
    });
    return;
  }
  console.warn(`[skipped] ${name}: ${reason}.`);
  describe.skip(name, body);
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

export interface MariaDbOptions {
  /** Serve TLS with this certificate (clients may still connect without it unless an account REQUIREs SSL). */
  tls?: { certPem: string; keyPem: string };
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbServer> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-mariadb-'));
  const datadir = join(dir, 'data');
  const socketPath = join(dir, 'sock');
  const logFile = join(dir, 'general.log');
  const errorLogFile = join(dir, 'error.log');
  const host = '127.0.0.1' as const;
  const admin = { user: 'admin', password: `mariadb-admin-${randomBytes(12).toString('hex')}` };
  // --no-defaults first: the machine's /etc/mysql configuration must not leak into a test server.
  await run(INSTALL_DB, ['--no-defaults', '--user=root', `--datadir=${datadir}`, '--skip-test-db', ...LEAN]);
  const tlsArgs: string[] = [];
  if (options.tls !== undefined) {
    await writeFile(join(dir, 'server-cert.pem'), options.tls.certPem);
    await writeFile(join(dir, 'server-key.pem'), options.tls.keyPem, { mode: 0o600 });
    tlsArgs.push(`--ssl-cert=${join(dir, 'server-cert.pem')}`, `--ssl-key=${join(dir, 'server-key.pem')}`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;

  const rootConnection = () => createConnection({ socketPath, user: 'root' });
  const connect = (user: string, password: string) => createConnection({ host, port, user, password, connectTimeout: 10_000 });

  const start = async () => {
    const started = spawn(
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
        `--general-log-file=${logFile}`,
        '--log-output=FILE',
        ...tlsArgs,
        ...LEAN,
      ],
      { stdio: 'ignore' },
    );
    child = started;
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

  const sql = async <T>(text: string, values: unknown[] = []): Promise<T> => {
    const connection = await rootConnection();
    try {
      const [rows] = await connection.query(text, values);
      return rows as T;
    } finally {
      await connection.end();
    }
  };

  await start();
  // By hash, so that the admin password itself never appears in the general log either.
  await sql("CREATE USER 'admin'@'%' IDENTIFIED BY PASSWORD ?", [nativePasswordHash(admin.password)]);
  await sql("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION");

  const stop = () => killChild(child, 'SIGTERM');
  return {
    host,
    port,
    admin,
    adminUrl: `mysql://${admin.user}:${encodeURIComponent(admin.password)}@${host}:${port}/`,
    sql,
    root: rootConnection,
    connect,
    async canLogin(user, password) {
      try {
        const connection = await connect(user, password);
        await connection.end();
        return true;
      } catch (error) {
        const { code, errno } = error as { code?: string; errno?: number };
        if (code === 'ER_ACCESS_DENIED_ERROR' || errno === ACCOUNT_LOCKED) return false;
        throw error;
      }
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    kill: () => killChild(child, 'SIGKILL'),
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
