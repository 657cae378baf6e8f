import type { z } from 'zod';
import type { PublicError } from '../../../shared/errors';
import { listChannels, type Area, type CallName, type ParsedRequestOf, type ResultOf } from '../../../shared/ipc/contract';
import type { ContractEntry, IpcResult } from '../../../shared/ipc/entry';
import { toPublicError } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { SenderInfo, SenderPolicy } from './sender-policy';

/**
 * The single path from the renderer into core. For every call it (a) checks the sender is Latchkey's
 * own frame, (b) parses the request with the contract's schema, (c) calls the handler, (d) parses the
 * result with the contract's schema, and answers a typed error — kind and message, never a stack or a
 * value — when any step fails.
 */
export type Handlers = {
  [A in Area]: { [C in CallName<A>]: (request: ParsedRequestOf<A, C>) => Promise<ResultOf<A, C>> };
};

/**
 * Decides, per channel, whether a call from the trusted window may run now (the app lock). It answers
 * the error to send back, or undefined to let the call through. It is asked again when the handler is
 * done, so a result computed while the app locked is not delivered.
 */
export type CallGate = (channel: string) => PublicError | undefined;

export interface Router {
  readonly channels: readonly string[];
  handle(channel: unknown, sender: SenderInfo, payload: unknown): Promise<IpcResult<unknown>>;
}

interface Route {
  entry: ContractEntry;
  handler: (request: unknown) => Promise<unknown>;
}

const fail = (error: PublicError): IpcResult<never> => ({ ok: false, error });

function describeIssues(error: z.ZodError): string {
  const text = error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`))
    .join('; ');
  return `The request was not valid (${text.length > 300 ? `${text.slice(0, 297)}...` : text}).`;
}

/** What the log may say about an unknown channel: its name if it looks like one, never arbitrary text. */
function describeChannel(channel: unknown): string {
  if (typeof channel !== 'string') return typeof channel;
  return /^[A-Za-z0-9:._-]{1,100}$/.test(channel) ? channel : `a string of ${channel.length} characters`;
}

export function createRouter(options: { handlers: Handlers; isTrustedSender: SenderPolicy; logger: Logger; gate?: CallGate }): Router {
  const routes = new Map<string, Route>();
  for (const { area, name, channel, entry } of listChannels()) {
    const handler = (options.handlers as unknown as Record<string, Record<string, unknown>>)[area]?.[name];
    if (typeof handler !== 'function') throw new Error(`No handler for ${channel}`);
    routes.set(channel, { entry, handler: handler as Route['handler'] });
  }
  const { logger } = options;

  return {
    channels: [...routes.keys()],
    async handle(channel, sender, payload) {
      const route = typeof channel === 'string' ? routes.get(channel) : undefined;
      if (route === undefined || typeof channel !== 'string') {
        logger.warn('ipc: unknown channel refused', { channel: describeChannel(channel) });
        return fail({ kind: 'InvalidInput', message: 'Unknown call. The renderer may only use the calls of the IPC contract.' });
      }
      if (!options.isTrustedSender(sender)) {
        logger.warn('ipc: call from an untrusted sender refused', { channel, isMainFrame: sender.isMainFrame });
        return fail({ kind: 'PermissionDenied', message: "Refused: this call is accepted only from Latchkey's own window." });
      }
      const refused = options.gate?.(channel);
      if (refused !== undefined) return fail(refused);
      const request = route.entry.request.safeParse(payload);
      if (!request.success) return fail({ kind: 'InvalidInput', message: describeIssues(request.error) });
      let value: unknown;
      try {
        value = await route.handler(request.data);
      } catch (error) {
        const publicError = toPublicError(error);
        if (publicError.kind === 'Internal') logger.error('ipc: call failed', { channel, error });
        else logger.info('ipc: call refused', { channel, kind: publicError.kind });
        return fail(publicError);
      }
      const refusedAfter = options.gate?.(channel);
      if (refusedAfter !== undefined) return fail(refusedAfter);
      const result = route.entry.result.safeParse(value);
      if (!result.success) {
        logger.error('ipc: handler result outside its contract', { channel, issues: result.error.issues.map((issue) => issue.path.join('.')) });
        return fail(toPublicError(undefined));
      }
      return { ok: true, value: result.data };
    },
  };
}
