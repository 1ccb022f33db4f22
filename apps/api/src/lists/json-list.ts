import { Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';
import type { BoundedPage } from '@app/domain';

/** What JSON.stringify writes for each byte that a JSON string must escape. */
const ESCAPES: (Buffer | undefined)[] = Array.from({ length: 256 }, (_, byte) => {
  if (byte >= 0x20 && byte !== 0x22 && byte !== 0x5c) return undefined;
  return Buffer.from(JSON.stringify(String.fromCharCode(byte)).slice(1, -1), 'latin1');
});

/**
 * The inside of a JSON string for UTF-8 text given as slices, byte for byte what
 * JSON.stringify writes for the same text: quote, backslash and control characters
 * escaped, everything else (multi-byte characters included, whatever slice boundary
 * cuts them) copied as it is. One buffer per slice, at most six times its size.
 */
export function* jsonStringBytes(parts: Buffer[]): Generator<Buffer> {
  for (const part of parts) {
    let out: Buffer | undefined;
    let length = 0;
    let copied = 0;
    for (let i = 0; i < part.length; i++) {
      const escape = ESCAPES[part[i]];
      if (!escape) continue;
      out ??= Buffer.allocUnsafe(part.length * 6);
      length += part.copy(out, length, copied, i);
      length += escape.copy(out, length);
      copied = i + 1;
    }
    if (!out) {
      yield part;
      continue;
    }
    length += part.copy(out, length, copied);
    yield out.subarray(0, length);
  }
}

/** Stands for the `i`-th body in a row's JSON until its bytes are written there. */
const placeholder = (i: number): string => `\u0000postmand-body-${i}\u0000`;

/**
 * A list response, `{"<key>":[…],"limit":L,"offset":O,"next_cursor":C}`; when any body is large, streamed
 * with backpressure, exactly as `res.json` would write it. Rows with small bodies are written as JSON, gathered
 * into writes of about 64 KB; a row with large bodies is written around them, and they go
 * out slice by slice. So no page, row or large body is ever one string in memory (V8
 * keeps large strings until a full collection, and caps one at 512 MB). A failure after
 * the first byte can no longer become an error response: the connection is cut, so that
 * the client sees a broken answer, never a short one that looks complete.
 */
export function jsonList<T extends { id: string }>(
  key: string,
  rows: BoundedPage<T>,
  toDto: (row: T) => unknown,
  page: { limit: number; offset: number },
): StreamableFile | Record<string, unknown> {
  // A page of small rows (the usual one) is answered as any JSON body is.
  const inline = rows.inline();
  const tail = { limit: page.limit, offset: page.offset, next_cursor: rows.nextCursor };
  if (inline) return { [key]: inline.map(toDto), ...tail };

  /** The row's JSON, each large body standing as its placeholder. */
  const rowJson = (row: T, bodies: (string | Buffer[])[]): string => {
    const copy = { ...row } as Record<keyof T, unknown>;
    bodies.forEach(
      (body, i) =>
        (copy[rows.bodyProperties[i]] = typeof body === 'string' ? body : placeholder(i)),
    );
    return JSON.stringify(toDto(copy as T));
  };
  async function* chunks(): AsyncGenerator<Buffer | string> {
    let pending = `{${JSON.stringify(key)}:[`;
    let separator = '';
    for await (const { row, bodies } of rows) {
      const json = separator + rowJson(row, bodies);
      separator = ',';
      // Where each large body goes, in the order the JSON has them.
      const large = bodies
        .map((body, i) => ({ body, marker: JSON.stringify(placeholder(i)) }))
        .filter((b): b is { body: Buffer[]; marker: string } => typeof b.body !== 'string')
        .map((b) => ({ ...b, at: json.indexOf(b.marker) }))
        .sort((a, b) => a.at - b.at);
      let written = 0;
      for (const { body, marker, at } of large) {
        yield `${pending}${json.slice(written, at)}"`;
        pending = '';
        yield* jsonStringBytes(body);
        yield '"';
        written = at + marker.length;
      }
      pending += json.slice(written);
      if (pending.length >= 65_536) {
        yield pending;
        pending = '';
      }
    }
    yield `${pending}],${JSON.stringify(tail).slice(1)}`;
  }
  return new StreamableFile(Readable.from(chunks(), { objectMode: false }), {
    type: 'application/json; charset=utf-8',
  }).setErrorHandler((_err, res) => res.destroy?.());
}
