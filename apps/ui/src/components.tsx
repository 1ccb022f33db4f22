import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, onKeyStored, type DeliveryStatus, type Webhook } from './api/client';

export interface Resource<T> {
  data?: T;
  error?: ApiFailure;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change, on reload, and when a new API key is stored; the last
 * answer wins. A failed reload keeps the data it had (with the error beside it); a failed
 * load for new `deps` does not show the old ones.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const lastDeps = useRef('');
  useEffect(() => onKeyStored(() => setTick((t) => t + 1)), []);
  useEffect(() => {
    const mine = ++seq.current;
    const depsKey = JSON.stringify(deps);
    const sameDeps = depsKey === lastDeps.current;
    lastDeps.current = depsKey;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: unknown) =>
        mine === seq.current &&
        setState((s) => ({
          data: sameDeps ? s.data : undefined,
          error: asFailure(error),
          loading: false,
        })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function asFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, undefined, error instanceof Error ? error.message : String(error));
}

/** Calls `fn` every `ms` while the page is visible, and once at once. */
export function useInterval(fn: () => void, ms: number): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const run = () => {
      if (document.visibilityState === 'visible') saved.current();
    };
    run();
    const id = window.setInterval(run, ms);
    document.addEventListener('visibilitychange', run);
    return () => {
      window.clearInterval(id);
      document.removeEventListener('visibilitychange', run);
    };
  }, [ms]);
}

type Tone = 'succeeded' | 'failed' | 'pending' | 'disabled';

/** A status as a word with a mark and a colour: the word carries the meaning, the rest helps. */
function Badge(props: {
  tone: Tone;
  mark: string;
  text: string;
  title?: string;
  data?: Record<string, string>;
}) {
  const data = Object.fromEntries(
    Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, v]),
  );
  return (
    <span class={`badge badge-${props.tone}`} title={props.title} {...data}>
      <span aria-hidden="true">{props.mark}</span> {props.text}
    </span>
  );
}

const STATUS_BADGES: Record<DeliveryStatus, [mark: string, text: string]> = {
  pending: ['…', 'Pending'],
  succeeded: ['✓', 'Succeeded'],
  failed: ['✕', 'Failed'],
};

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  const [mark, text] = STATUS_BADGES[status];
  return <Badge tone={status} mark={mark} text={text} data={{ status }} />;
}

export function SuccessBadge({ success }: { success: boolean }) {
  return success ? (
    <Badge tone="succeeded" mark="✓" text="Success" />
  ) : (
    <Badge tone="failed" mark="✕" text="Failure" />
  );
}

export function CircuitBadge({ webhook }: { webhook: Webhook }) {
  if (!webhook.active) {
    const text = webhook.disabled_reason ? 'Disabled' : 'Inactive';
    return <Badge tone="disabled" mark="–" text={text} data={{ circuit: 'disabled' }} />;
  }
  const { state, open_until, consecutive_failures } = webhook.circuit;
  switch (state) {
    case 'open':
      return (
        <Badge
          tone="failed"
          mark="✕"
          text="Circuit open"
          title={open_until ? `open until ${formatTime(open_until)}` : undefined}
          data={{ circuit: 'open' }}
        />
      );
    case 'half_open':
      return <Badge tone="pending" mark="…" text="Half-open" data={{ circuit: 'half_open' }} />;
    case 'closed':
      return (
        <Badge
          tone="succeeded"
          mark="●"
          text="Closed"
          title={`${consecutive_failures} consecutive failures`}
          data={{ circuit: 'closed' }}
        />
      );
  }
}

export function ErrorBox({ error }: { error: ApiFailure | undefined }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{error.body?.message ?? error.message}</strong>
      {error.body?.details ? <span>: {error.body.details}</span> : null}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? (
    <p class="muted loading" role="status">
      Loading…
    </p>
  ) : null;
}

export function Page(props: {
  /** A node (the portal's, with `site={null}`) or text, which also names the tab. */
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  /** Whose page it is in the tab's title; null leaves the title alone (the portal's own). */
  site?: string | null;
}) {
  const site = props.site === undefined ? 'postmand' : props.site;
  useEffect(() => {
    if (site !== null && typeof props.title === 'string') {
      document.title = `${props.title} · ${site}`;
    }
  }, [props.title, site]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div class="actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/**
 * Text that may hold anything (a response body can be binary): control characters other
 * than tab and line breaks, and the invisible format characters (bidi embeddings, overrides
 * and isolates, zero-width marks and joiners, the BOM, soft hyphen…) are written as escapes,
 * so nothing invisible, terminal-like or reordering what is shown reaches the page, and a
 * long body is cut with a note. Preact renders it as text.
 */
export function printable(text: string, max = 64 * 1024): { text: string; cut: number } {
  const shown = text.length > max ? text.slice(0, max) : text;
  const escaped = shown.replace(
    // Cc but tab, LF and CR; Cf (format: U+200B–200F, U+202A–202E, U+2066–2069, U+FEFF, …);
    // and the line and paragraph separators.
    /(?![\t\n\r])[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => {
      const n = c.codePointAt(0) ?? 0;
      if (n <= 0xff) return `\\x${n.toString(16).padStart(2, '0')}`;
      return n <= 0xffff ? `\\u${n.toString(16).padStart(4, '0')}` : `\\u{${n.toString(16)}}`;
    },
  );
  return { text: escaped, cut: text.length - shown.length };
}

/** How the worker keeps a body that is not clean UTF-8 text (apps/worker raw-exchange). */
const BINARY_MARKER = '[postmand: body is not UTF-8 text; base64 follows]\r\n';
const DUMP_BYTES = 4096;

/** An exchange whose body was kept as base64: the head, the bytes and what follows. */
export function splitBinary(
  text: string,
): { head: string; bytes: Uint8Array; tail: string } | undefined {
  const at = text.indexOf(BINARY_MARKER);
  if (at < 0) return undefined;
  const rest = text.slice(at + BINARY_MARKER.length);
  const end = rest.indexOf('\r\n');
  const base64 = end < 0 ? rest : rest.slice(0, end);
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return { head: text.slice(0, at), bytes, tail: end < 0 ? '' : rest.slice(end) };
  } catch {
    return undefined;
  }
}

/** `offset  16 bytes in hex  the printable ASCII of them`, one line per 16 bytes. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = Array.from(bytes.subarray(i, i + 16));
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export function Raw({ label, text }: { label: string; text: string }) {
  const [all, setAll] = useState(false);
  const binary = splitBinary(text);
  if (binary) {
    const shownBytes = all ? binary.bytes : binary.bytes.subarray(0, DUMP_BYTES);
    return (
      <figure class="raw">
        <figcaption>{label}</figcaption>
        <pre tabIndex={0}>
          {printable(binary.head).text}
          <span class="muted">
            [binary body, {binary.bytes.length.toLocaleString()} bytes, shown as hex]
          </span>
          {'\n'}
          <span class="hexdump">{hexDump(shownBytes)}</span>
          {printable(binary.tail).text}
        </pre>
        {shownBytes.length < binary.bytes.length ? (
          <button type="button" class="link" onClick={() => setAll(true)}>
            Show all {binary.bytes.length.toLocaleString()} bytes
          </button>
        ) : null}
      </figure>
    );
  }
  const { text: shown, cut } = printable(text, all ? Number.MAX_SAFE_INTEGER : 64 * 1024);
  return (
    <figure class="raw">
      <figcaption>{label}</figcaption>
      <pre tabIndex={0}>{shown || '(empty)'}</pre>
      {cut > 0 ? (
        <button type="button" class="link" onClick={() => setAll(true)}>
          Show {cut.toLocaleString()} more characters
        </button>
      ) : null}
    </figure>
  );
}

/** Pretty JSON when the payload is JSON, else the text as it is. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
