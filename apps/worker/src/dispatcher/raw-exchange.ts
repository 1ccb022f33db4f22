/**
 * The text forms of an exchange kept on each attempt: `raw_request` and `raw_response`.
 * Bodies go in as text when they are clean UTF-8; anything PostgreSQL text cannot hold
 * exactly (NUL, invalid UTF-8) is kept as base64 behind a marker line, never dropped.
 */

import { isAscii, isUtf8 } from 'node:buffer';

const CRLF = '\r\n';
const BINARY_MARKER = '[postmand: body is not UTF-8 text; base64 follows]';

export function formatRawRequest(options: {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}): string {
  const target = `${options.url.pathname || '/'}${options.url.search}`;
  const lines = [`POST ${target} HTTP/1.1`, `Host: ${options.url.host}`];
  for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join(CRLF)}${CRLF}${CRLF}${bodyText(options.body)}`;
}

export function formatRawResponse(options: {
  httpVersion: string;
  statusCode: number;
  statusMessage: string;
  /** Node's rawHeaders: name, value, name, value… in arrival order and case. */
  rawHeaders: string[];
  body: Buffer;
  /** Bytes the server sent beyond `body`, which were not kept. */
  truncatedAfter?: number;
}): string {
  const lines = [
    `HTTP/${options.httpVersion} ${options.statusCode} ${options.statusMessage}`.trimEnd(),
  ];
  for (let i = 0; i + 1 < options.rawHeaders.length; i += 2) {
    lines.push(`${options.rawHeaders[i]}: ${options.rawHeaders[i + 1]}`);
  }
  const kept =
    options.truncatedAfter === undefined ? options.body : completeUtf8Prefix(options.body);
  let text = `${lines.join(CRLF)}${CRLF}${CRLF}${bodyText(kept)}`;
  if (options.truncatedAfter !== undefined) {
    text += `${CRLF}[postmand: response body truncated after ${options.truncatedAfter} bytes]`;
  }
  return text;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value or reason phrase as text: UTF-8 when the bytes are valid UTF-8 (what
 * Node's server writes for a header value), else Latin-1, one character per byte (what it
 * writes for a reason phrase, and what RFC 9110's obs-text was).
 */
export function fieldText(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  return bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1');
}

/** The body as text when it is clean UTF-8 without NUL, else base64 behind a marker. */
export function bodyText(body: Buffer): string {
  if (!body.includes(0)) {
    try {
      return decoder.decode(body);
    } catch {
      // not UTF-8: fall through
    }
  }
  return `${BINARY_MARKER}${CRLF}${body.toString('base64')}`;
}

/**
 * Drops a multi-byte character cut in half at the end of a truncated body, so that a
 * text body stays text after truncation.
 */
export function completeUtf8Prefix(body: Buffer): Buffer {
  let start = body.length - 1;
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (start >= 0 && body.length - start <= 4 && (body[start] & 0xc0) === 0x80) start--;
  if (start < 0) return body;
  const lead = body[start];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return body.length - start < need ? body.subarray(0, start) : body;
}
