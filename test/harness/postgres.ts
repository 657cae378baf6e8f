import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { describeWithKeyring } from './keyring';
import { freePort } from './ports';

/**
 * A real PostgreSQL server (Debian's postgresql, 15 on bookworm) for one test file, started by the test itself on a
 * free loopback port and stopped afterwards. Postgres refuses to run as root, so initdb and pg_ctl run
 * as the `postgres` system user (`runuser -u postgres --`) in a temporary directory owned by it.
 *
 * The server logs every statement (`log_statement=all`) to a file the test reads (`log()`), so a test can
 * prove that a plaintext password never reached the server's log. Password authentication is
 * SCRAM-SHA-256 for every connection (initdb --auth=scram-sha-256).
 */
export interface PostgresServer {
  port: number;
  host: string;
  /** The superuser created by initdb, and its password. */
  admin: { user: string; password: string };
  /** postgres://admin:pw@127.0.0.1:PORT/postgres */
  adminUrl: string;
  /** Runs SQL as the superuser (a fresh connection per call). */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  /** As `sql`, with statement logging off for it: set-up that puts a password in SQL stays out of the log under test. */
  sqlUnlogged(text: string): Promise<void>;
  /** True when `user` logs in with `password` (SCRAM); false when the server refuses it (28P01). */
  canLogin(user: string, password: string, database?: string): Promise<boolean>;
  /** Everything the server logged so far (statements, errors). */
  log(): Promise<string>;
  /** Stops the server (immediate shutdown) and keeps its data; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * Where the server binaries are: LATCHKEY_PG_BIN, else the newest major version Debian installed under
 * /usr/lib/postgresql (15 on bookworm; a fresh machine of a later release may have another), else
 * wherever `pg_config` says.
 */
function postgresBinDir(): string {
  if (process.env.LATCHKEY_PG_BIN !== undefined) return process.env.LATCHKEY_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest !== undefined) return join(root, newest, 'bin');
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  return configured.status === 0 ? configured.stdout.trim() : join(root, '15', 'bin');
}

const BIN = postgresBinDir();

export function postgresAvailable(): boolean {
  return spawnSync(join(BIN, 'postgres'), ['--version']).status === 0 && spawnSync('id', ['-u', 'postgres']).status === 0;
}

/**
 * describe() for tests that need a real Postgres (and the real keyring). Where Postgres is not
 * installed the tests skip and say why; under CI=true they fail loudly instead.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresAvailable()) {
    describeWithKeyring(name, body);
    return;
  }
  const reason = `PostgreSQL is not installed (${BIN}/postgres) or there is no postgres user; install Debian's postgresql package`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`CI=true but ${reason}.`);
    });
    return;
  }
  console.warn(`[skipped] ${name}: ${reason}.`);
  describe.skip(name, body);
}

/** Runs a Postgres binary as the `postgres` user (as root), or as ourselves when we are not root. */
function asPostgres(binary: string, args: string[], options: { timeout?: number } = {}): string {
  const command = process.getuid?.() === 0 ? 'runuser' : join(BIN, binary);
  const argv = process.getuid?.() === 0 ? ['-u', 'postgres', '--', join(BIN, binary), ...args] : args;
  try {
    return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeout ?? 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${binary} failed: ${stderr ?? ''}${stdout ?? ''}`.trim(), { cause: error });
  }
}

function owner(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPostgres(options: { settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const root = await mkdtemp(join(tmpdir(), 'latchkey-pg-'));
  const data = join(root, 'data');
  const logFile = join(root, 'server.log');
  const passwordFile = join(root, 'pwfile');
  const admin = { user: 'admin', password: `pg-admin-${randomBytes(12).toString('hex')}` };
  const port = await freePort();
  const host = '127.0.0.1';
  if (process.getuid?.() === 0) {
    const { uid, gid } = owner();
    await chown(root, uid, gid);
    await chmod(root, 0o700);
    await writeFile(passwordFile, admin.password, { mode: 0o600 });
    await chown(passwordFile, uid, gid);
  } else {
    await writeFile(passwordFile, admin.password, { mode: 0o600 });
  }
  asPostgres('initdb', ['-D', data, '-U', admin.user, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C', '--no-sync']);
  await rm(passwordFile, { force: true });

  const settings: Record<string, string> = {
    listen_addresses: host,
    log_statement: 'all',
    logging_collector: 'off',
    // Speed without losing a commit: fsync off keeps the OS's copy, which an immediate stop (the tests'
    // "server goes down") does not lose; synchronous_commit stays on, since with it off a commit that
    // was acknowledged can still sit in the WAL buffers when the server is stopped, and be gone.
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...options.settings,
  };
  const serverOptions = [`-p ${port}`, `-k ${root}`, ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)].join(' ');
  const start = async () => {
    asPostgres('pg_ctl', ['-D', data, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();

  const connect = async (user: string, password: string, database = 'postgres') => {
    const client = new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: 10_000 });
    await client.connect();
    return client;
  };

  return {
    port,
    host,
    admin,
    adminUrl: `postgres://${admin.user}:${encodeURIComponent(admin.password)}@${host}:${port}/postgres`,
    async sql<T extends pg.QueryResultRow>(text: string, values?: unknown[]) {
      const client = await connect(admin.user, admin.password);
      try {
        return await client.query<T>(text, values);
      } finally {
        await client.end();
      }
    },
    async sqlUnlogged(text) {
      const client = await connect(admin.user, admin.password);
      try {
        await client.query("SET log_statement = 'none'");
        await client.query(text);
      } finally {
        await client.end();
      }
    },
    async canLogin(user, password, database) {
      let client: pg.Client | undefined;
      try {
        client = await connect(user, password, database);
        await client.query('SELECT 1');
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '28P01') return false;
        throw error;
      } finally {
        await client?.end().catch(() => undefined);
      }
    },
    log: () => readFile(logFile, 'utf8'),
    stop,
    start,
    async destroy() {
      await stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
