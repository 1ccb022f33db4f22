import { useRef, useState } from 'preact/hooks';
import { unwrap, type ApiFailure } from '../api/client';
import { sessionsApi, type PortalSession } from '../api/portal-sessions';
import { asFailure, ErrorBox, formatTime } from '../components';

/** Lifetimes offered for a new session (SPEC §12 allows 60–86400 seconds). */
const LIFETIMES: [seconds: number, label: string][] = [
  [300, '5 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
  [8 * 3600, '8 hours'],
  [86400, '24 hours'],
];

/**
 * Portal sessions of one tenant (SPEC §12): open one (read-only by default, short-lived),
 * whose URL and token are shown here once and never again, and revoke them all.
 */
export function PortalSessions({ tenantId }: { tenantId: string }) {
  const [readOnly, setReadOnly] = useState(true);
  const [expiresIn, setExpiresIn] = useState(900);
  const [session, setSession] = useState<PortalSession>();
  const [revoked, setRevoked] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);

  const open = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setRevoked(false);
    try {
      setSession(
        await unwrap(
          sessionsApi.POST('/v1/tenants/{tenant_id}/portal-sessions', {
            params: { path: { tenant_id: tenantId } },
            body: { read_only: readOnly, expires_in: expiresIn },
          }),
        ),
      );
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!window.confirm(`Revoke every portal session of “${tenantId}”? Whoever uses one is out.`)) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        sessionsApi.DELETE('/v1/tenants/{tenant_id}/portal-sessions', {
          params: { path: { tenant_id: tenantId } },
        }),
      );
      setSession(undefined);
      setRevoked(true);
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel sessions" aria-labelledby="portal-sessions">
      <h2 id="portal-sessions">Portal sessions</h2>
      <p class="muted">
        A session lets this tenant’s people manage its own webhooks in the customer portal. Its link
        is shown once; sessions already handed out are not listed, but can all be revoked.
      </p>
      <ErrorBox error={error} />
      <form class="filters" onSubmit={(e) => void open(e)} aria-label="Open a portal session">
        <div class="field check">
          <input
            id="s-read-only"
            type="checkbox"
            checked={readOnly}
            onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)}
          />
          <label for="s-read-only">Read-only</label>
        </div>
        <div class="field">
          <label for="s-expires">Expires after</label>
          <select
            id="s-expires"
            onChange={(e) => setExpiresIn(Number((e.target as HTMLSelectElement).value))}
          >
            {LIFETIMES.map(([seconds, label]) => (
              <option key={seconds} value={seconds} selected={seconds === expiresIn}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Open portal session
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => void revoke()}>
            Revoke all sessions
          </button>
        </div>
      </form>
      {revoked ? (
        <p class="notice" role="status">
          Every session of this tenant is refused from now on (within 5 seconds on every API
          process).
        </p>
      ) : null}
      {session ? <NewSession session={session} onDone={() => setSession(undefined)} /> : null}
    </section>
  );
}

/** The session just opened: its link and token, each with a copy button, shown this once. */
function NewSession({ session, onDone }: { session: PortalSession; onDone: () => void }) {
  return (
    <div class="new-session" role="region" aria-label="New portal session" data-session>
      <p class="notice" role="status">
        {session.read_only ? 'Read-only session' : 'Session'} opened for{' '}
        <code>{session.tenant_id}</code>, until {formatTime(session.expires_at)}. Copy its link now:
        it is not shown again.
      </p>
      <Copyable id="s-url" label="Portal link" value={session.url} />
      <Copyable id="s-token" label="Token" value={session.token} />
      <div class="actions">
        <a class="button" href={session.url} target="_blank" rel="noopener noreferrer">
          Open the portal
        </a>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

/** A read-only text with a Copy button (the clipboard API, or the selection on plain HTTP). */
function Copyable({ id, label, value }: { id: string; label: string; value: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid('Copied.');
    } catch {
      // No clipboard API outside secure contexts (a dashboard opened over plain HTTP).
      input.current?.select();
      setSaid(document.execCommand('copy') ? 'Copied.' : 'Selected: press Ctrl+C to copy.');
    }
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="inline">
        <input id={id} ref={input} readOnly value={value} spellcheck={false} />
        <button type="button" onClick={() => void copy()} aria-describedby={`${id}-said`}>
          Copy
        </button>
      </div>
      <small id={`${id}-said`} class="hint" role="status">
        {said}
      </small>
    </div>
  );
}
