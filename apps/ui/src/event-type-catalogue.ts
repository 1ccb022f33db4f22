import { unwrap, type ApiClient } from './api/client';
import type { components } from './api/schema';
import { useResource } from './components';

export type EventType = components['schemas']['EventTypeDto'];

/** How many types a picker loads at most: a catalogue is a list to pick from, not a log. */
export const CATALOGUE_CAP = 1000;

/**
 * The event type catalogue (§14) in name order, following its cursors up to CATALOGUE_CAP
 * types; `complete` is false when more exist. The API bounds each page by size as well as
 * by count (schemas are large), so a page may hold fewer than asked for.
 */
export function useEventTypeCatalogue(client: ApiClient) {
  return useResource(async () => {
    const types: EventType[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await unwrap(
        client.GET('/v1/event-types', {
          params: { query: { limit: Math.min(CATALOGUE_CAP - types.length, 1000), after } },
        }),
      );
      types.push(...page.event_types);
      if (!page.next_cursor) return { types, complete: true };
      if (types.length >= CATALOGUE_CAP) return { types, complete: false };
      after = page.next_cursor;
    }
  }, []);
}
