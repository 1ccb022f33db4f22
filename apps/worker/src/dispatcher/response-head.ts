/*
 * A response head as bytes, before and after llhttp parses it: where it ends, whether it
 * is an interim answer, its repeated Content-Length values made one and whether a field
 * is among its headers. Pure functions of their buffers; response-parser.ts applies them
 * to undici's parser.
 */

/** Where the head starting at or before `from` ends (after its blank line), or -1. */
export function headEnd(data: Buffer, from: number): number {
  for (let lf = data.indexOf(10, from); lf >= 0; lf = data.indexOf(10, lf + 1)) {
    if (lf + 1 >= data.length) return -1;
    if (data[lf + 1] === 10) return lf + 2; // a bare LF ends a line too
    if (data[lf + 1] === 13) {
      if (lf + 2 >= data.length) return -1;
      if (data[lf + 2] === 10) return lf + 3;
    }
  }
  return -1;
}

/** Whether the bytes from `start` may begin a response (what cannot is refused at once). */
export function mayBeResponse(data: Buffer, start: number): boolean {
  const n = Math.min(5, data.length - start);
  return data.toString('latin1', start, start + n) === 'HTTP/'.slice(0, n);
}

/** Whether a head is an interim (1xx) response other than 101, which has no body. */
export function isInterim(head: Buffer): boolean {
  return (
    head.length > 12 &&
    head.toString('latin1', 0, 5) === 'HTTP/' &&
    head[9] === 0x31 && // '1'
    !(head[10] === 0x30 && head[11] === 0x31) // not 101
  );
}

/** A Content-Length field made one: dropped as a repeat, or its list of values made one. */
export interface LengthChange {
  /** Which field of the head (0 for the first after the status line). */
  field: number;
  /** The name as received, when the field was dropped. */
  dropped?: string;
  /** The value as received. */
  value: string;
}

const LENGTH_FIELD = /^(content-length):[ \t]*([^\r]*?)[ \t]*(\r?)$/i;

/**
 * The head with its Content-Length values made one when they repeat one value, as
 * separate fields or as a list (`2, 2`), and what was changed; undefined when nothing is
 * (no repetition, or values that differ: llhttp refuses those).
 */
export function oneContentLength(
  head: Buffer,
): { head: Buffer; changes: LengthChange[] } | undefined {
  const text = head.toString('latin1');
  const lower = text.toLowerCase();
  const first = lower.indexOf('\ncontent-length:');
  if (first < 0) return undefined;
  const firstEnd = lower.indexOf('\n', first + 1);
  if (
    lower.indexOf('\ncontent-length:', first + 1) < 0 &&
    lower.lastIndexOf(',', firstEnd) < first
  ) {
    return undefined;
  }
  const lines = text.split('\n');
  const kept = [lines[0]];
  const changes: LengthChange[] = [];
  let value: string | undefined;
  let i = 1;
  for (; i < lines.length && lines[i] !== '' && lines[i] !== '\r'; i++) {
    const line = lines[i];
    const m = LENGTH_FIELD.exec(line);
    const values = m ? m[2].split(',').map((v) => v.trim()) : [];
    const one = values[0];
    if (!m || values.some((v) => v !== one) || (value !== undefined && one !== value)) {
      kept.push(line);
      continue;
    }
    if (value !== undefined) {
      changes.push({ field: i - 1, dropped: m[1], value: m[2] });
      continue;
    }
    value = one;
    if (values.length > 1) {
      changes.push({ field: i - 1, value: m[2] });
      kept.push(`${m[1]}: ${one}${m[3]}`);
    } else {
      kept.push(line);
    }
  }
  if (changes.length === 0) return undefined;
  for (; i < lines.length; i++) kept.push(lines[i]);
  return { head: Buffer.from(kept.join('\n'), 'latin1'), changes };
}

/** Whether the received header names (name, value, … as bytes) include `name` (lower case). */
export function hasField(headers: Buffer[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].length === name.length && headers[i].toString('latin1').toLowerCase() === name) {
      return true;
    }
  }
  return false;
}
