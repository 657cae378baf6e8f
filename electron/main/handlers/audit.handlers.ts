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
      const matching = await audit.query({ actions, project, environment, since: dateOf(since, 'since'), until: dateOf(until, 'until'), limit: Number.MAX_SAFE_INTEGER });
      const older = beforeSeq === undefined ? matching : matching.filter((entry) => entry.seq < beforeSeq);
      return { entries: older.slice(-limit).map(({ v: _v, prev: _prev, hash: _hash, ...entry }) => entry), total: matching.length };
    },
    verify: async () => {
      const { intact, entries, lines, problems } = await audit.verify();
      return { intact, entries, lines, problems, path: audit.path };
    },
  };
}
