import { Transform, type TransformCallback } from 'node:stream';

/**
 * `latchkey run --mask`: every occurrence of a secret's value in the program's output becomes
 * `<redacted:NAME>`, as the output streams.
 *
 * It works on bytes (values as UTF-8), so a value is found however the program's writes cut it — in
 * the middle of a multi-byte character included — and output passes through byte for byte otherwise.
 * Output is released at once except a tail that could still be the start of a value; that tail waits
 * for the next write (or the end), so latency is bounded by what might be a secret, never by a timer
 * that could let half a value out. Where values overlap in the output ("abcd" and "cdef" in "abcdef"),
 * every byte of each is covered: the longest value at a position wins and the overlapping one is
 * redacted after it, so no part of either shows.
 */
export interface MaskedValue {
  name: string;
  value: string;
}

/** Shorter values would redact ordinary words and numbers; they are not masked (the caller says which). */
export const MIN_MASKED_CHARACTERS = 4;

interface Candidate {
  bytes: Buffer;
  name: string;
}

interface Match {
  start: number;
  end: number;
  name: string;
}

export function maskableValues(values: readonly MaskedValue[]): { masked: MaskedValue[]; tooShort: string[] } {
  const masked: MaskedValue[] = [];
  const tooShort: string[] = [];
  for (const entry of values) {
    if ([...entry.value].length >= MIN_MASKED_CHARACTERS) masked.push(entry);
    else tooShort.push(entry.name);
  }
  return { masked, tooShort };
}

/** The matching engine, apart from the stream: feed() returns what may be released now. */
export class SecretMasker {
  /** Candidates by their first two bytes, longest first. */
  private readonly byPrefix = new Map<number, Candidate[]>();
  private readonly firstBytes = new Set<number>();
  private pending: Buffer = Buffer.alloc(0);

  constructor(values: readonly MaskedValue[]) {
    const seen = new Set<string>();
    const candidates = values
      .filter((entry) => [...entry.value].length >= MIN_MASKED_CHARACTERS)
      .map((entry) => ({ bytes: Buffer.from(entry.value, 'utf8'), name: entry.name }))
      .filter((candidate) => {
        // The same value under two names: the first name is shown.
        const key = candidate.bytes.toString('base64');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => b.bytes.length - a.bytes.length);
    for (const candidate of candidates) {
      const prefix = (candidate.bytes[0]! << 8) | candidate.bytes[1]!;
      const list = this.byPrefix.get(prefix) ?? [];
      list.push(candidate);
      this.byPrefix.set(prefix, list);
      this.firstBytes.add(candidate.bytes[0]!);
    }
  }

  /** Output that can be released after `chunk`; the rest is kept until the next call. */
  feed(chunk: Buffer): Buffer {
    return this.process(this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]), false);
  }

  /** Everything still held, masked (the stream ended). */
  flush(): Buffer {
    return this.process(this.pending, true);
  }

  private process(buffer: Buffer, final: boolean): Buffer {
    if (this.firstBytes.size === 0) {
      this.pending = Buffer.alloc(0);
      return buffer;
    }
    const matches: Match[] = [];
    let hold = buffer.length;
    for (let index = 0; index < buffer.length; index += 1) {
      const found = this.matchAt(buffer, index, final);
      if (found === 'pending') {
        hold = index;
        break;
      }
      if (found !== undefined) matches.push({ start: index, end: index + found.bytes.length, name: found.name });
    }
    // A match running past the held tail may still overlap one that completes later: hold it too.
    for (let moved = true; moved; ) {
      moved = false;
      for (const match of matches) {
        if (match.start < hold && match.end > hold) {
          hold = match.start;
          moved = true;
        }
      }
    }
    this.pending = Buffer.from(buffer.subarray(hold));
    return render(buffer, matches.filter((match) => match.start < hold), hold);
  }

  /** The longest value starting at `index`, 'pending' when the buffer ends inside a possible value. */
  private matchAt(buffer: Buffer, index: number, final: boolean): Candidate | 'pending' | undefined {
    const first = buffer[index]!;
    if (!this.firstBytes.has(first)) return undefined;
    if (index + 1 >= buffer.length) return final ? undefined : 'pending';
    const candidates = this.byPrefix.get((first << 8) | buffer[index + 1]!);
    if (candidates === undefined) return undefined;
    let best: Candidate | undefined;
    for (const candidate of candidates) {
      const available = Math.min(candidate.bytes.length, buffer.length - index);
      let same = 2;
      while (same < available && buffer[index + same] === candidate.bytes[same]) same += 1;
      if (same === candidate.bytes.length) {
        // Longest first: the first complete match is the longest, unless a longer one is still open.
        best ??= candidate;
      } else if (same === available && !final && best === undefined) {
        return 'pending';
      }
    }
    return best;
  }
}

/** Bytes before `end` with every match replaced; overlapping matches each leave their own marker. */
function render(buffer: Buffer, matches: Match[], end: number): Buffer {
  if (matches.length === 0) return Buffer.from(buffer.subarray(0, end));
  const parts: Buffer[] = [];
  let position = 0;
  for (const match of matches) {
    if (match.end <= position) continue;
    if (match.start > position) parts.push(buffer.subarray(position, match.start));
    parts.push(Buffer.from(`<redacted:${match.name}>`, 'utf8'));
    position = match.end;
  }
  if (position < end) parts.push(buffer.subarray(position, end));
  return Buffer.concat(parts);
}

/** A stream transform over SecretMasker: pipe the program's stdout or stderr through it. */
export function createMaskingStream(values: readonly MaskedValue[]): Transform {
  const masker = new SecretMasker(values);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const released = masker.feed(chunk);
      done(null, released.length === 0 ? undefined : released);
    },
    flush(done: TransformCallback) {
      const rest = masker.flush();
      done(null, rest.length === 0 ? undefined : rest);
    },
  });
}
