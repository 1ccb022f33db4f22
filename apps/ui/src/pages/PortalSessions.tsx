import { useRef, useState } from 'preact/hooks';
import {
  api,
  unwrap,
  type ApiFailure,
  type ListedPortalSession,
  type PortalSession,
} from '../api/client';
import { asFailure, ErrorBox, formatTime, Loading, useResource } from '../components';

/** Lifetimes offered for a new session (SPEC §12 allows 60–86400 seconds). */
const LIFETIMES: [seconds: number, label: string][] = [
  [300, '5 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
  [8 * 3600, '8 hours'],
  [86400, '24 hours'],
];

/** What was just revoked: every session, or the one of this id. */
type Revoked = { all: true } | { all: false; id: string };

/**
 * Portal sessions of one tenant (SPEC §12): open one (read-only by default, short-lived),
 * whose URL and token are shown here once and never again; the live ones listed, each
 * revocable, and all of them revocable at once.
 */
export function PortalSessions({ tenantId }: { tenantId: string }) {
  const [readOnly, setReadOnly] = useState(true);
  const [expiresIn, setExpiresIn] = useState(900);
  const [session, setSession] = useState<PortalSession>();
  const [revoked, setRevoked] = useState<Revoked>();
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const live = useResource(
    () =>
      unwrap(
        api.GET('/v1/tenants/{tenant_id}/portal-sessions', {
          params: { path: { tenant_id: tenantId } },
        }),
      ),
    [tenantId],
  );

  /** Runs a write with the buttons off, shows its failure, and lists the sessions again. */
  const write = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(asFailure(err));
    } finally {
      setBusy(false);
      live.reload();
    }
  };

  const open = (e: Event) => {
    e.preventDefault();
    setRevoked(undefined);
    return write(async () => {
      setSession(
        await unwrap(
          api.POST('/v1/tenants/{tenant_id}/portal-sessions', {
            params: { path: { tenant_id: tenantId } },
            body: { read_only: readOnly, expires_in: expiresIn },
          }),
        ),
      );
    });
  };

  const revokeAll = async () => {
    if (!window.confirm(`Revoke every portal session of “${tenantId}”? Whoever uses one is out.`)) {
      return;
    }
    await write(async () => {
      await unwrap(
        api.DELETE('/v1/tenants/{tenant_id}/portal-sessions', {
          params: { path: { tenant_id: tenantId } },
        }),
      );
      setSession(undefined);
      setRevoked({ all: true });
    });
  };

  const revokeOne = async (s: ListedPortalSession) => {
    const question = `Revoke the session opened ${formatTime(s.created_at)}? Whoever uses it is out.`;
    if (!window.confirm(question)) return;
    await write(async () => {
      await unwrap(
        api.DELETE('/v1/tenants/{tenant_id}/portal-sessions/{session_id}', {
          params: { path: { tenant_id: tenantId, session_id: s.id } },
        }),
      );
      setRevoked({ all: false, id: s.id });
    });
  };

  return (
    <section class="panel sessions" aria-labelledby="portal-sessions">
      <h2 id="portal-sessions">Portal sessions</h2>
      <p class="muted">
        A session lets this tenant’s people manage its own webhooks in the customer portal. Its link
        is shown once; the live sessions are listed below (never their link), each revocable.
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
          <button type="button" class="danger" disabled={busy} onClick={() => void revokeAll()}>
            Revoke all sessions
          </button>
        </div>
      </form>
      {revoked ? (
        <p class="notice" role="status">
          {revoked.all ? 'Every session of this tenant is' : 'The session is'} refused from now on
          (by every API process at once).
        </p>
      ) : null}
      {session ? <NewSession session={session} onDone={() => setSession(undefined)} /> : null}
      <ErrorBox error={live.error} />
      <Loading when={live.loading && !live.data} />
      {live.data ? (
        <LiveSessions
          sessions={live.data.portal_sessions}
          busy={busy}
          onRevoke={(s) => void revokeOne(s)}
        />
      ) : null}
    </section>
  );
}

/** The API lists at most this many, the newest (docs/api.md, "Portal sessions"). */
const LISTED = 1000;

/** The tenant's live sessions, newest first, each with its Revoke button. */
function LiveSessions(props: {
  sessions: ListedPortalSession[];
  busy: boolean;
  onRevoke: (s: ListedPortalSession) => void;
}) {
  const { sessions } = props;
  if (sessions.length === 0) return <p class="empty">No live sessions.</p>;
  return (
    <>
      <h3 id="live-sessions">
        Live sessions ({sessions.length}
        {sessions.length >= LISTED ? ', the newest' : ''})
      </h3>
      <div class="table-wrap">
        <table aria-labelledby="live-sessions">
          <thead>
            <tr>
              <th scope="col">Access</th>
              <th scope="col">Opened</th>
              <th scope="col">Expires</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} data-session-id={s.id}>
                <td>{s.read_only ? 'Read-only' : 'Read and write'}</td>
                <td>{formatTime(s.created_at)}</td>
                <td>{formatTime(s.expires_at)}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    disabled={props.busy}
                    onClick={() => props.onRevoke(s)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
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
