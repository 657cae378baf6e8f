import { afterEach, describe, expect, it, vi } from 'vitest';
import { NewestKept, readAuditPage } from '../../../electron/core/audit/audit-page';
import { entryHash, entryLine, GENESIS_HASH, type AuditEntry } from '../../../electron/core/audit/entry';

/** A log of `count` chained entries, produced line by line (never as an array of entries). */
async function* logLines(count: number, options: { damagedEvery?: number } = {}): AsyncGenerator<string> {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const body = {
      action: seq % 3 === 0 ? ('secret.rotate' as const) : ('secret.reveal' as const),
      outcome: 'ok' as const,
      ref: `file://shop/${seq % 2 === 0 ? 'prod' : 'dev'}/KEY_${seq}`,
      project: 'shop',
      environment: seq % 2 === 0 ? 'prod' : 'dev',
      v: 1 as const,
      seq,
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      user: 'alice',
      prev,
    };
    const entry = { ...body, hash: entryHash(body) } as AuditEntry;
    prev = entry.hash;
    yield entryLine(entry).slice(0, -1);
    if (options.damagedEvery !== undefined && seq % options.damagedEvery === 0) yield '{"not": "an entry"';
  }
}

const seqs = (entries: AuditEntry[]) => entries.map((entry) => entry.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('one page of the audit log, read as a stream', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the newest `limit` matches, oldest first, and how many match in all', async () => {
    const page = await readAuditPage(logLines(3000), { limit: 100 });
    expect(seqs(page.entries)).toEqual(range(2901, 3000));
    expect(page.total).toBe(3000);
  });

  it('pages back with beforeSeq, the total staying that of every match', async () => {
    const second = await readAuditPage(logLines(3000), { limit: 100, beforeSeq: 2901 });
    expect(seqs(second.entries)).toEqual(range(2801, 2900));
    expect(second.total).toBe(3000);
    const last = await readAuditPage(logLines(3000), { limit: 100, beforeSeq: 51 });
    expect(seqs(last.entries)).toEqual(range(1, 50));
    expect(await readAuditPage(logLines(3000), { limit: 100, beforeSeq: 1 })).toEqual({ entries: [], total: 3000 });
  });

  it('filters by action, environment and time before paging, and skips lines that are not entries', async () => {
    const rotations = await readAuditPage(logLines(3000, { damagedEvery: 7 }), { limit: 5, actions: ['secret.rotate'], environment: 'prod' });
    // Every sixth entry is a rotation in prod: 500 of them.
    expect(rotations.total).toBe(500);
    expect(seqs(rotations.entries)).toEqual([2976, 2982, 2988, 2994, 3000]);
    const window = await readAuditPage(logLines(3000), { limit: 1000, since: new Date(Date.UTC(2026, 0, 1, 0, 0, 10)), until: new Date(Date.UTC(2026, 0, 1, 0, 0, 19)) });
    expect(seqs(window.entries)).toEqual(range(10, 19));
    expect(window.total).toBe(10);
  });

  it('never holds more than `limit` entries while it reads a log of thousands', async () => {
    let largest = 0;
    const add = NewestKept.prototype.add;
    vi.spyOn(NewestKept.prototype, 'add').mockImplementation(function (this: NewestKept<AuditEntry>, item: AuditEntry) {
      add.call(this, item);
      largest = Math.max(largest, this.size);
    });
    const page = await readAuditPage(logLines(4000), { limit: 250 });
    expect(page.entries).toHaveLength(250);
    expect(largest).toBe(250);
  });

  it('keeps the last items of a fixed ring, in the order they came', () => {
    const ring = new NewestKept<number>(3);
    expect(ring.items()).toEqual([]);
    for (const item of [1, 2]) ring.add(item);
    expect(ring.items()).toEqual([1, 2]);
    for (const item of [3, 4, 5, 6, 7]) ring.add(item);
    expect(ring.items()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
    const none = new NewestKept<number>(0);
    none.add(1);
    expect(none.items()).toEqual([]);
  });
});
