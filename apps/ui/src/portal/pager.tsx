import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Keyset pages kept in the page's state (the portal pushes nothing into the embedding
 * page's history): the cursors of the pages before this one, the last being this page's
 * `after`.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    after: cursors[cursors.length - 1],
    paged: cursors.length > 1,
    first: () => setCursors([undefined]),
    next: (cursor: string) => setCursors([...cursors, cursor]),
  };
}

/**
 * "First page" and "Next page" for a list's `next_cursor`. Each keeps its element (keyed), so
 * focus stays on "Next page" while there are more pages; when, pressed, it gives way to
 * "End of the list", focus goes to "First page" rather than to nowhere.
 */
export function CursorPager(props: {
  pages: ReturnType<typeof useCursorPages>;
  next: string | null | undefined;
}) {
  const { pages, next } = props;
  const first = useRef<HTMLButtonElement>(null);
  const pressed = useRef(false);
  useEffect(() => {
    if (!pressed.current || next === undefined) return;
    pressed.current = false;
    if (next === null) first.current?.focus();
  }, [next]);
  if (!pages.paged && !next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {pages.paged ? (
        <button key="first" ref={first} type="button" onClick={pages.first}>
          ← First page
        </button>
      ) : (
        <span key="no-first" />
      )}
      {next ? (
        <button
          key="next"
          type="button"
          onClick={() => {
            pressed.current = true;
            pages.next(next);
          }}
        >
          Next page →
        </button>
      ) : (
        <span key="end" class="muted">
          End of the list
        </span>
      )}
    </nav>
  );
}
