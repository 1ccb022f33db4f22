import { useEffect, useRef, useState } from 'preact/hooks';
import { unwrap, type ApiFailure, type Webhook } from '../api/client';
import { asFailure, ErrorBox, formatTime, Loading, Page, useResource } from '../components';
import { SuccessRate, successRates } from '../success-rate';
import { putIfUnchanged, requestFrom } from '../webhook-form-parts';
import { useCanWrite, usePortal } from './context';
import { EndpointSecret } from './endpoint-secret';
import { EndpointTest } from './endpoint-test';
import { ENDPOINT_WORDS } from './EndpointForm';
import { State } from './Endpoints';
import { portalApi } from './session';

const words = { ...ENDPOINT_WORDS, since: 'this page was loaded', then: 'try again' };

/** What the endpoint is and how it is doing. */
function Facts({ webhook: w, id }: { webhook: Webhook; id: string }) {
  const rate = useResource(() => successRates(portalApi, [id]), [id, w.updated_at]);
  return (
    <dl class="facts">
      <div>
        <dt>URL</dt>
        <dd>
          <code class="wrap">{w.url}</code>
        </dd>
      </div>
      <div>
        <dt>State</dt>
        <dd data-state>
          <State webhook={w} />
          {w.active ? (
            <div class="muted small">
              {w.circuit.consecutive_failures} consecutive failures
              {w.circuit.open_until ? `, open until ${formatTime(w.circuit.open_until)}` : ''}
            </div>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>Success (last 100 attempts)</dt>
        <dd>
          <SuccessRate rates={rate} id={id} />
        </dd>
      </div>
      <div>
        <dt>Event types</dt>
        <dd>
          <code>{w.event_types.join(', ') || '—'}</code>
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatTime(w.created_at)}</dd>
      </div>
      <div>
        <dt>Id</dt>
        <dd>
          <code>{w.id}</code>
        </dd>
      </div>
    </dl>
  );
}

/** Delete, after a confirmation on the page (a framed page may not open a dialog). */
function DeleteEndpoint({ webhook }: { webhook: Webhook }) {
  const portal = usePortal();
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<ApiFailure>();
  const [deleting, setDeleting] = useState(false);
  // Focus goes to the confirmation's least destructive choice, and back to "Delete…" when
  // it is declined.
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (asking) asked.current = true;
    if (asked.current) (asking ? keep : ask).current?.focus();
  }, [asking]);
  // One DELETE however often the button is pressed before it is disabled.
  const sent = useRef(false);
  const remove = async () => {
    if (sent.current) return;
    sent.current = true;
    setDeleting(true);
    setFailure(undefined);
    try {
      await unwrap(portalApi.DELETE('/v1/webhooks/{id}', { params: { path: { id: webhook.id } } }));
      portal.go({ page: 'endpoints' });
    } catch (err) {
      setFailure(asFailure(err));
      sent.current = false;
      setDeleting(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete this endpoint</h2>
      <ErrorBox error={failure} />
      {asking ? (
        <div role="group" aria-label="Confirm the deletion">
          <p>
            Delete “<span class="wrap">{webhook.name}</span>” and all its deliveries? Nothing is
            sent to it from then on, and this cannot be undone.
          </p>
          <div class="actions">
            <button type="button" class="danger" disabled={deleting} onClick={() => void remove()}>
              {deleting ? 'Deleting…' : 'Delete endpoint'}
            </button>
            <button ref={keep} type="button" onClick={() => setAsking(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button ref={ask} type="button" class="danger" onClick={() => setAsking(true)}>
          Delete…
        </button>
      )}
    </section>
  );
}

/** One endpoint: its fields, state and success rate; what the session may do to it. */
export function Endpoint({ id }: { id: string }) {
  const portal = usePortal();
  const canWrite = useCanWrite();
  const loaded = useResource(
    () => unwrap(portalApi.GET('/v1/webhooks/{id}', { params: { path: { id } } })),
    [id],
  );
  // The endpoint as last answered: a toggle or a rotation answers with it.
  const [latest, setLatest] = useState<Webhook>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [toggling, setToggling] = useState(false);
  useEffect(() => setLatest(loaded.data), [loaded.data]);
  const w = latest ?? loaded.data;

  /** Enables or disables it: a PUT of what it holds now, with `active` changed. */
  const toggle = async (shown: Webhook) => {
    setToggling(true);
    setFailure(undefined);
    try {
      setLatest(
        await putIfUnchanged(
          portalApi,
          shown,
          (now) => ({ ...requestFrom(now), active: !shown.active }),
          words,
        ),
      );
    } catch (err) {
      setFailure(asFailure(err));
    } finally {
      setToggling(false);
    }
  };

  return (
    <Page
      title={w ? w.name : 'Endpoint'}
      site={null}
      actions={
        <>
          <button type="button" onClick={() => portal.go({ page: 'endpoints' })}>
            ← All endpoints
          </button>
          {w && canWrite ? (
            <>
              <button type="button" onClick={() => portal.go({ page: 'edit-endpoint', id })}>
                Edit
              </button>
              <button type="button" disabled={toggling} onClick={() => void toggle(w)}>
                {w.active ? 'Disable' : 'Enable'}
              </button>
            </>
          ) : null}
        </>
      }
    >
      <ErrorBox error={failure ?? loaded.error} />
      <Loading when={!w && loaded.loading} />
      {w ? (
        <>
          <Facts webhook={w} id={id} />
          <EndpointSecret webhook={w} canWrite={canWrite} onRotated={setLatest} />
          {canWrite ? <EndpointTest webhook={w} /> : null}
          {canWrite ? <DeleteEndpoint webhook={w} /> : null}
        </>
      ) : null}
    </Page>
  );
}
