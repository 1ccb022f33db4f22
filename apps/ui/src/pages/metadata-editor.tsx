/** One metadata entry as the form holds it (keys may be blank or repeated while typing). */
export interface MetadataRow {
  key: string;
  value: string;
}

export function rowsOf(metadata: Record<string, string> | undefined): MetadataRow[] {
  return Object.entries(metadata ?? {}).map(([key, value]) => ({ key, value }));
}

/**
 * The object the API takes, from the rows: a row left entirely blank is dropped; anything
 * else is sent as typed, so the API names what breaks its rules (a blank key, a key or
 * value too long, too many keys). A key given twice is refused here, since an object
 * would keep only one of its values without a word.
 */
export function metadataOf(rows: MetadataRow[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const { key, value } of rows) {
    if (key === '' && value === '') continue;
    if (Object.hasOwn(out, key)) return `has the key "${key}" twice`;
    out[key] = value;
  }
  return out;
}

/** Key and value inputs, one pair per line, with Add and Remove. */
export function MetadataEditor(props: {
  rows: MetadataRow[];
  /** The API's (or the form's) complaint about the metadata. */
  error?: string;
  hint?: string;
  onChange: (rows: MetadataRow[]) => void;
}) {
  const { rows, onChange } = props;
  const set = (i: number, part: Partial<MetadataRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...part } : row)));
  return (
    <div
      class={`field metadata${props.error ? ' invalid' : ''}`}
      role="group"
      aria-labelledby="f-metadata-label"
    >
      <span id="f-metadata-label" class="label">
        Metadata
      </span>
      {rows.length === 0 ? <span class="muted">No metadata.</span> : null}
      {rows.map((row, i) => (
        <div class="inline metadata-row" key={i} data-metadata-row={i}>
          <input
            aria-label={`Key ${i + 1}`}
            value={row.key}
            placeholder="key"
            autocomplete="off"
            spellcheck={false}
            aria-invalid={props.error ? 'true' : undefined}
            onInput={(e) => set(i, { key: (e.target as HTMLInputElement).value })}
          />
          <input
            aria-label={`Value ${i + 1}`}
            value={row.value}
            placeholder="value"
            autocomplete="off"
            onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })}
          />
          <button
            type="button"
            aria-label={`Remove line ${i + 1}${row.key ? ` (${row.key})` : ''}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          Add a key
        </button>
      </div>
      <small id="f-metadata-note" class={props.error ? 'field-error' : 'hint'}>
        {props.error ? `Metadata ${props.error}` : props.hint}
      </small>
    </div>
  );
}
