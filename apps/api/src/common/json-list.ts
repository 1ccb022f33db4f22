import { Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';

/**
 * A list response, `{"<key>":[…],"limit":L,"offset":O}` exactly as `res.json` would write
 * it, streamed one item at a time with backpressure: a page of large payloads never
 * sits in memory whole (nor as one JSON string, which V8 caps at 512 MB). A failure
 * after the first byte can no longer become an error response; the connection is cut,
 * so that the client sees a broken answer, never a short one that looks complete.
 */
export function jsonList<T>(
  key: string,
  rows: AsyncIterable<T>,
  toDto: (row: T) => unknown,
  page: { limit: number; offset: number },
): StreamableFile {
  async function* chunks(): AsyncGenerator<string> {
    yield `{${JSON.stringify(key)}:[`;
    let separator = '';
    for await (const row of rows) {
      yield separator + JSON.stringify(toDto(row));
      separator = ',';
    }
    yield `],"limit":${page.limit},"offset":${page.offset}}`;
  }
  return new StreamableFile(Readable.from(chunks(), { objectMode: false }), {
    type: 'application/json; charset=utf-8',
  }).setErrorHandler((_err, res) => res.destroy?.());
}
