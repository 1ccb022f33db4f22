import { api, unwrap } from '../api/client';
import { formatTime, Page, printable, useResource } from '../components';
import type { EventType } from '../event-type-catalogue';
import { ListView } from '../list-view';
import { href, Link, type Location } from '../router';

const PAGE = 50;

/** A type's page in the dashboard: `/event-types/order.created`. */
export const eventTypeHref = (name: string, tail = '') =>
  href(`/event-types/${encodeURIComponent(name)}${tail}`);

/** A description cut short, as text: the whole is on the type's page. */
function summary(text: string): string {
  const shown = printable(text, 120);
  return shown.cut > 0 ? `${shown.text}…` : shown.text || '—';
}

/** What a type holds besides its description: "schema, example". */
function holds(t: EventType): string {
  return [t.schema ? 'schema' : '', t.example !== null ? 'example' : ''].filter(Boolean).join(', ');
}

export function DeprecatedBadge() {
  return (
    <span class="badge badge-disabled" data-deprecated="true">
      <span aria-hidden="true">–</span> Deprecated
    </span>
  );
}

/** The event type catalogue (SPEC §14), by name, a page at a time. */
export function EventTypes({ location }: { location: Location }) {
  const after = location.query.get('after') ?? undefined;
  const list = useResource(
    () => unwrap(api.GET('/v1/event-types', { params: { query: { limit: PAGE, after } } })),
    [after],
  );
  return (
    <Page
      title="Event types"
      actions={
        <Link class="button" href={href('/event-types/+new')}>
          New event type
        </Link>
      }
    >
      <p class="muted">
        The catalogue: what producers publish and receivers subscribe to. A type with a schema
        refuses a payload that does not match it.
      </p>
      <ListView
        error={list.error}
        loading={list.loading}
        items={list.data?.event_types}
        empty="No event types yet: any type publishes; add one to describe it."
        columns={['Name', 'Description', 'Has', 'Updated']}
        row={(t) => (
          <tr key={t.name} data-event-type={t.name}>
            <td>
              <Link href={eventTypeHref(t.name)}>
                <code>{t.name}</code>
              </Link>{' '}
              {t.deprecated ? <DeprecatedBadge /> : null}
            </td>
            <td class="small">{summary(t.description)}</td>
            <td class="small">{holds(t) || '—'}</td>
            <td>{formatTime(t.updated_at)}</td>
          </tr>
        )}
        paging={{
          first: href('/event-types'),
          next: list.data?.next_cursor
            ? href('/event-types', { after: list.data.next_cursor })
            : undefined,
          paged: !!after,
        }}
      />
    </Page>
  );
}
