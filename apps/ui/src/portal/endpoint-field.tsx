import { unwrap, type Webhook } from '../api/client';
import { useResource } from '../components';
import { portalApi } from './session';

/** The most endpoints a filter offers as a list: one page of the API's largest. */
const MOST = 1000;

export interface TenantEndpoints {
  byId: Map<string, Webhook>;
  /** Whether the tenant has more endpoints than one page holds: filters then take an id. */
  more: boolean;
}

/** The tenant's endpoints, to pick one by name and to name a delivery's. */
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
 * name and URL, or (a tenant with more than one page of them) a field for the endpoint's id.
 */
export function EndpointField(props: {
  id: string;
  value: string | undefined;
  endpoints: TenantEndpoints | undefined;
  any: string;
}) {
  const { endpoints, value } = props;
  if (!endpoints || endpoints.more) {
    return (
      <div class="field">
        <label for={props.id}>Endpoint id</label>
        <input id={props.id} name="webhook_id" defaultValue={value ?? ''} size={38} />
      </div>
    );
  }
  return (
    <div class="field">
      <label for={props.id}>Endpoint</label>
      {/* Preact sets `defaultValue` as a property, which a select does not have: each
          option says whether it is the chosen one. */}
      <select id={props.id} name="webhook_id">
        <option value="" selected={!value}>
          {props.any}
        </option>
        {[...endpoints.byId.values()].map((w) => (
          <option key={w.id} value={w.id} selected={value === w.id}>
            {w.name ? `${w.name} — ${w.url}` : w.url}
          </option>
        ))}
      </select>
    </div>
  );
}
