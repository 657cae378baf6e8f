import type { Core } from '../../core';
import { invalidInput, notFound } from '../../core/errors';
import { filterFromCriteria, missingMessage, sessionDetail, type BulkRevocationResult, type SessionQuery } from '../../core/sessions';
import type { SessionQuery as QueryView } from '../../../shared/ipc/sessions.contract';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';
import type { Emit, Operations } from '../operations';
import type { ChoosePath } from '../path-chooser';
import { filterRevocationUpdate, revocationUpdate, scanUpdate, searchUpdate, throttle } from './sessions.progress';

/** The Sessions screen's calls, each a thin map onto core.sessions (the stores are opened and cached there). */
export function sessionsHandlers(deps: { core: Core; clipboard: ClipboardGuard; emit: Emit; operations: Operations; choosePath?: ChoosePath }): Handlers['sessions'] {
  const { sessions } = deps.core;
  const bulk = (result: BulkRevocationResult) => ({ ...result, skipped: result.skipped.length });
  const queryOf = (query: QueryView): SessionQuery => (query.by === 'filter' ? { by: 'filter', filter: filterFromCriteria(query.filter) } : query);

  return {
    servers: async () => ({ servers: await sessions.list() }),
    saveServer: ({ name, previousName, settings, password, sentinelPassword }) => sessions.save({ name, previousName, settings, password, sentinelPassword }),
    removeServer: async ({ name }) => {
      await sessions.remove(name);
      return {};
    },
    testServer: (request) =>
      'name' in request
        ? sessions.test(request.name)
        : sessions.testSettings(request.settings, { password: request.password, sentinelPassword: request.sentinelPassword, storedPasswordsOf: request.storedPasswordsOf }),

    search: ({ operationId, server, query, strategy }) =>
      deps.operations.run(operationId, async (signal, progress) => {
        // The table sizes itself from `sessions.results`; the progress bar follows the keys scanned.
        const updates = throttle((update: Parameters<typeof searchUpdate>[0]) => {
          progress(searchUpdate(update));
          deps.emit('sessions.results', { resultId: operationId, found: update.found, complete: false });
        });
        let summary: Awaited<ReturnType<typeof sessions.search>>;
        try {
          summary = await sessions.search(server, queryOf(query), { resultId: operationId, strategy, signal, onProgress: updates.report });
        } finally {
          updates.flush();
        }
        deps.emit('sessions.results', { resultId: operationId, found: summary.total, complete: true });
        return summary;
      }),
    rows: async ({ resultId, offset, limit, sort }) => sessions.rows(resultId, offset, limit, sort),
    release: async ({ resultId }) => {
      sessions.release(resultId);
      return {};
    },
    revokeResult: ({ operationId, resultId, expected }) =>
      deps.operations.run(operationId, async (signal, progress) => {
        const updates = throttle((update: Parameters<typeof filterRevocationUpdate>[0]) => progress(filterRevocationUpdate(update)));
        const result = await sessions.revokeResult(resultId, expected, { signal, onProgress: updates.report });
        updates.flush();
        return { matched: result.matched, revoked: result.revoked };
      }),
    exportResult: async ({ resultId, format }) => {
      if (deps.choosePath === undefined) throw invalidInput('Choosing a file is not available here.');
      const path = await deps.choosePath({ purpose: 'export', title: `Export the sessions found as ${format.toUpperCase()}`, defaultPath: `sessions.${format}` });
      if (path === undefined) return { cancelled: true };
      const written = await sessions.exportResult(resultId, format, path);
      return { cancelled: false, path, count: written.count };
    },

    session: ({ server, id }) => sessions.withStore(server, async (store) => sessionDetail(await store.get(id))),
    summary: ({ operationId, server, kind, id, strategy }) =>
      deps.operations.run(operationId, (signal, progress) => {
        const updates = throttle((update: Parameters<typeof scanUpdate>[0]) => progress(scanUpdate(update)));
        return sessions.summary(server, kind, id, { strategy, signal, onProgress: updates.report });
      }),

    revoke: ({ server, id }) => sessions.withStore(server, async (store) => ({ revoked: (await store.revoke({ id })).revoked })),
    revokeDevice: ({ operationId, server, deviceId, strategy }) =>
      deps.operations.run(operationId, (signal, progress) => {
        const updates = throttle((update: Parameters<typeof revocationUpdate>[0]) => progress(revocationUpdate(update)));
        return sessions.withStore(server, async (store) => bulk(await store.revokeDevice(deviceId, { strategy, signal, onProgress: updates.report })));
      }),
    revokeUser: ({ operationId, server, userId, strategy }) =>
      deps.operations.run(operationId, (signal, progress) => {
        const updates = throttle((update: Parameters<typeof revocationUpdate>[0]) => progress(revocationUpdate(update)));
        return sessions.withStore(server, async (store) => bulk(await store.revokeUser(userId, { strategy, signal, onProgress: updates.report })));
      }),
    extend: ({ server, id, hours }) =>
      sessions.withStore(server, async (store) => {
        const result = await store.extend({ id }, hours);
        if (!result.extended) throw notFound(`The session cannot be extended. ${missingMessage(result.reason)}`);
        return sessionDetail(result.session);
      }),

    create: ({ server, userId, deviceId, ttlHours, metadata }) =>
      sessions.withStore(server, async (store) => {
        const { token, ...session } = await store.create({ userId, deviceId, ttlHours, metadata });
        return { token, session: sessionDetail(session) };
      }),
    copyToken: async ({ token }) => {
      await deps.clipboard.copy(token);
      return { clearAfterSeconds: deps.clipboard.clearAfterSeconds };
    },
    validate: ({ server, token }) =>
      sessions.withStore(server, async (store) => {
        const result = await store.validate(token);
        return result.valid ? { valid: true as const, session: sessionDetail(result.session) } : result;
      }),

    stats: ({ operationId, server, hours, reuse }) =>
      deps.operations.run(operationId, (signal, progress) => {
        const updates = throttle((update: Parameters<typeof scanUpdate>[0]) => progress(scanUpdate(update)));
        return sessions.dashboard(server, {
          hours,
          reuse: reuse ?? 'now',
          signal,
          onProgress: updates.report,
          onWaiting: () => progress({ done: 0, message: 'Another Latchkey is counting these sessions; waiting for its result' }),
        });
      }),
    estimate: ({ operationId, server, sample, onlyWhenLarge }) =>
      deps.operations.run(operationId, (signal, progress) =>
        sessions.withStore(server, async (store) => {
          const stats = await store.estimate({
            ...(sample === undefined ? {} : { sample }),
            onlyWhenLarge: onlyWhenLarge ?? false,
            signal,
            onProgress: ({ sampled, target }) => progress({ done: sampled, total: target, message: `Sampled ${sampled.toLocaleString('en-US')} of ${target.toLocaleString('en-US')} keys` }),
          });
          return { stats: stats ?? null };
        }),
      ),
    indexExisting: ({ operationId, server }) =>
      deps.operations.run(operationId, (signal, progress) => {
        const updates = throttle((update: Parameters<typeof scanUpdate>[0]) => progress(scanUpdate(update)));
        return sessions.withStore(server, async (store) => {
          const result = await store.indexExisting({ signal, onProgress: updates.report });
          return { indexed: result.indexed, problems: result.problems.length, scannedKeys: result.scannedKeys };
        });
      }),
  };
}
