import { unwrap, type Webhook } from '../api/client';
import { useResource, type Resource } from '../components';
import { SelectField } from '../delivery-parts';
import { portalApi } from './session';

/** The most endpoints a filter offers as a list; a tenant with more types an id. */
const MOST = 100;

export interface TenantEndpoints {
  byId: Map<string, Webhook>;
  /** Whether the tenant has more endpoints than one page holds: filters then take an id. */
  more: boolean;
}

/**
 * The tenant's endpoints, to pick one by name and to name a delivery's: loaded once when
 * the view that holds it mounts (a new filter does not load them again). The API has no
 * field selection, so each comes whole, its `secret_token` included: it stays in the
 * page's memory and is never rendered.
 */
export function useTenantEndpoints() {
  return useResource(async (): Promise<TenantEndpoints> => {
    const page = await unwrap(
      portalApi.GET('/v1/webhooks', { params: { query: { limit: MOST } } }),
    );
    return {
      byId: new Map(page.webhooks.map((w) => [w.id, w])),
      more: page.next_cursor !== null && page.next_cursor !== undefined,
    };
  }, []);
}

/** How an endpoint is called on the page: its name, else its URL. */
export function endpointName(webhook: Webhook | undefined, id: string): string {
  return webhook ? webhook.name || webhook.url : id.slice(0, 8);
}

/**
 * An endpoint to filter by, `webhook_id` in its form: a list of the tenant's endpoints by
 * name and URL (the chosen one kept while the list loads), or a field for the endpoint's id
 * when the tenant has more than one page of them or the list cannot be had.
 */
export function EndpointField(props: {
  id: string;
  value: string | undefined;
  endpoints: Resource<TenantEndpoints>;
  any: string;
}) {
  const { value } = props;
  const endpoints = props.endpoints.data;
  const failed = !endpoints && props.endpoints.error;
  if (endpoints?.more || failed) {
    return (
      <div class="field">
        <label for={props.id}>Endpoint id</label>
        <input
          id={props.id}
          name="webhook_id"
          defaultValue={value ?? ''}
          size={38}
          aria-describedby={failed ? `${props.id}-hint` : undefined}
        />
        {/* Quiet: the field still works, by id. */}
        {failed ? (
          <small id={`${props.id}-hint`} class="hint">
            The list of endpoints could not be loaded: enter an endpoint's id.
          </small>
        ) : null}
      </div>
    );
  }
  const choices: [id: string, label: string][] = endpoints
    ? [...endpoints.byId.values()].map((w) => [w.id, w.name ? `${w.name} — ${w.url}` : w.url])
    : value
      ? [[value, value]]
      : [];
  return (
    <SelectField
      id={props.id}
      name="webhook_id"
      label="Endpoint"
      any={props.any}
      value={value}
      choices={choices}
    />
  );
}
