import type { ComponentChildren } from 'preact';
import type { ApiFailure } from './api/client';
import { ErrorBox, Loading } from './components';
import { href, Link, navigate } from './router';

/** Keyset paging: "first page" and "next page"; the browser's Back goes back a page. */
export interface Paging {
  first: string;
  /** The link to the page after this one (its `after` cursor), if one follows. */
  next?: string;
  /** Whether this page is past the first. */
  paged: boolean;
}

function Pager({ first, next, paged }: Paging) {
  if (!next && !paged) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {paged ? <Link href={first}>← First page</Link> : <span />}
      {next ? (
        <Link href={next} rel="next">
          Next page →
        </Link>
      ) : (
        <span class="muted">End of the list</span>
      )}
    </nav>
  );
}

/** A list page's body: its error, a loading note, the table (or what to say when empty), pages. */
export function ListView<T>(props: {
  error?: ApiFailure;
  loading: boolean;
  items: T[] | undefined;
  empty: ComponentChildren;
  columns: string[];
  /** One `<tr>` per item. */
  row: (item: T) => ComponentChildren;
  paging: Paging;
}) {
  const { items } = props;
  return (
    <>
      <ErrorBox error={props.error} />
      <Loading when={props.loading} />
      {items ? (
        items.length === 0 ? (
          <p class="empty">{props.empty}</p>
        ) : (
          <div class="table-wrap">
            <table aria-busy={props.loading}>
              <thead>
                <tr>
                  {props.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>{items.map(props.row)}</tbody>
            </table>
          </div>
        )
      ) : null}
      <Pager {...props.paging} />
    </>
  );
}

/**
 * A list's filters: a form whose named fields become the query string of `path` on Apply
 * (empty ones left out), with Clear going back to the bare list. Keyed by the caller on
 * the current filter, so its fields start from the URL again after each navigation.
 */
export function FilterForm(props: {
  path: string;
  label: string;
  names: readonly string[];
  children: ComponentChildren;
}) {
  const apply = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const query: Record<string, string> = {};
    for (const name of props.names) {
      const raw = data.get(name);
      if (typeof raw === 'string' && raw.trim()) query[name] = raw.trim();
    }
    navigate(href(props.path, query));
  };
  return (
    <form class="filters" onSubmit={apply} aria-label={props.label}>
      {props.children}
      <div class="actions">
        <button type="submit">Apply</button>
        <Link href={href(props.path)}>Clear</Link>
      </div>
    </form>
  );
}
