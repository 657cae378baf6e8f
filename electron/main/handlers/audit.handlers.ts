import type { Core } from '../../core';
import { invalidInput } from '../../core/errors';
import type { Handlers } from '../ipc/router';

function dateOf(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw invalidInput(`"${name}" is not a date and time.`);
  return new Date(time);
}

/** The Audit screen: filtered entries (names and outcomes, never values) and the chain's verification. */
export function auditHandlers(deps: { core: Core }): Handlers['audit'] {
  const { audit } = deps.core;
  return {
    query: async ({ actions, project, environment, since, until, beforeSeq, limit = 500 }) => {
      // Core reads the log as a stream and keeps only this page: the screen pages back with beforeSeq.
      const page = await audit.page({ actions, project, environment, since: dateOf(since, 'since'), until: dateOf(until, 'until'), beforeSeq, limit });
      return { entries: page.entries.map(({ v: _v, prev: _prev, hash: _hash, ...entry }) => entry), total: page.total };
    },
    verify: async () => {
      const { intact, entries, lines, problems } = await audit.verify();
      return { intact, entries, lines, problems, path: audit.path };
    },
  };
}
