import { readFile } from 'node:fs/promises';
import { createConnection, type Connection, type ConnectionOptions } from 'mysql2/promise';
import { invalidInput, notFound } from '../../errors';
import { mapMysqlError, type MysqlErrorContext } from './mysql-errors';
import type { MysqlSettings } from './mysql-settings';
import { parseServerVersion, type MysqlServer } from './server-version';

/**
 * One login to a MySQL or MariaDB service, for one step: connect, run a few statements, close. Every
 * statement has a time limit, and the step's AbortSignal closes the connection, so a server that stops
 * answering fails the step instead of hanging it.
 */
export interface MysqlLogin {
  user: string;
  password: string;
}

export interface MysqlSession {
  server: MysqlServer;
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  /** Runs a statement that returns no rows (ALTER USER, SET PASSWORD). */
  execute(sql: string, values?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export interface OpenSessionOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  readTextFile?: (path: string) => Promise<string>;
}

export async function openMysqlSession(settings: MysqlSettings, login: MysqlLogin, context: MysqlErrorContext, options: OpenSessionOptions): Promise<MysqlSession> {
  const connectionOptions: ConnectionOptions = {
    host: settings.host,
    port: settings.port,
    user: login.user,
    password: login.password,
    connectTimeout: options.timeoutMs,
    multipleStatements: false,
    charset: 'utf8mb4',
    ...(settings.tls === undefined ? {} : { ssl: await tlsOptions(settings.tls, options) }),
  };
  let connection: Connection;
  try {
    options.signal?.throwIfAborted();
    connection = await createConnection(connectionOptions);
  } catch (error) {
    throw mapMysqlError(abortAware(error, options.signal), context);
  }
  // A connection-level error after login (the server went away) must not become an unhandled 'error' event.
  connection.on('error', () => undefined);
  const abort = () => connection.destroy();
  options.signal?.addEventListener('abort', abort, { once: true });

  const run = async (sql: string, values: unknown[]): Promise<unknown> => {
    try {
      options.signal?.throwIfAborted();
      const [rows] = await connection.query({ sql, values, timeout: options.timeoutMs });
      return rows;
    } catch (error) {
      throw mapMysqlError(abortAware(error, options.signal), context);
    }
  };

  try {
    const [row] = (await run('SELECT VERSION() AS version', [])) as { version: string }[];
    const server = parseServerVersion(row?.version ?? '');
    return {
      server,
      query: async <T>(sql: string, values: unknown[] = []) => (await run(sql, values)) as T[],
      execute: async (sql, values = []) => void (await run(sql, values)),
      close: async () => {
        options.signal?.removeEventListener('abort', abort);
        await connection.end().catch(() => connection.destroy());
      },
    };
  } catch (error) {
    options.signal?.removeEventListener('abort', abort);
    connection.destroy();
    throw error;
  }
}

/** Opens a session, runs `work`, and closes it whatever happens. */
export async function withMysqlSession<T>(settings: MysqlSettings, login: MysqlLogin, context: MysqlErrorContext, options: OpenSessionOptions, work: (session: MysqlSession) => Promise<T>): Promise<T> {
  const session = await openMysqlSession(settings, login, context, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

function abortAware(error: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted === true ? { code: 'LATCHKEY_ABORTED' } : error;
}

async function tlsOptions(tls: NonNullable<MysqlSettings['tls']>, options: OpenSessionOptions): Promise<NonNullable<ConnectionOptions['ssl']>> {
  if (tls.caFile === undefined) return { rejectUnauthorized: tls.verify };
  let ca: string;
  try {
    ca = await (options.readTextFile ?? ((path: string) => readFile(path, 'utf8')))(tls.caFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`The CA certificate file ${tls.caFile} (ssl-ca) does not exist.`);
    throw invalidInput(`The CA certificate file ${tls.caFile} (ssl-ca) cannot be read. Check its permissions.`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw invalidInput(`The CA certificate file ${tls.caFile} (ssl-ca) holds no PEM certificate.`);
  return { ca, rejectUnauthorized: tls.verify };
}
