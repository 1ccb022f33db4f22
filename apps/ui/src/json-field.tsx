import type { ComponentChildren } from 'preact';
import { firstJsonError } from './json-position';

/** Where JSON text stops parsing: what was expected, and the line and column (from 1). */
export interface JsonProblem {
  message: string;
  line: number;
  column: number;
}

/**
 * What is wrong with `text` as JSON, or undefined when it parses or is empty (an empty
 * field is the API's null): what was expected, and where, in lines and columns.
 */
export function jsonProblem(text: string): JsonProblem | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // The browser's words rarely say where: the scan below does.
  }
  const error = firstJsonError(text) ?? { at: text.length, expected: 'JSON' };
  const lines = text.slice(0, error.at).split('\n');
  const found = text[error.at];
  return {
    message:
      found === undefined
        ? `the text ends where ${error.expected} was expected`
        : `“${found}” where ${error.expected} was expected`,
    line: lines.length,
    column: lines[lines.length - 1].length + 1,
  };
}

/**
 * A field of JSON text, several lines: checked as it is typed, the parse error shown under
 * it with its line and column before anything is sent; under that the API's complaint (the
 * source of truth on submit: the text is sent as typed) or the hint. `children` follow,
 * such as a reference of what the JSON may hold.
 */
export function JsonField(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ComponentChildren;
  /** The API's complaint about the field, worded for display. */
  error?: ComponentChildren;
  rows?: number;
  children?: ComponentChildren;
}) {
  const { id, error } = props;
  const problem = jsonProblem(props.value);
  const described = [problem ? `${id}-parse` : '', `${id}-note`].filter(Boolean).join(' ');
  return (
    <div class={`field json-field${error || problem ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        value={props.value}
        onInput={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
        aria-invalid={error || problem ? 'true' : undefined}
        aria-describedby={described}
        spellcheck={false}
      />
      {problem ? (
        <small id={`${id}-parse`} class="field-error json-problem" aria-live="polite">
          Not JSON
          {problem.line !== undefined
            ? ` (line ${problem.line}, column ${problem.column})`
            : ''}: {problem.message}
        </small>
      ) : null}
      <small id={`${id}-note`} class={error ? 'field-error' : 'hint'}>
        {error ?? props.hint}
      </small>
      {props.children}
    </div>
  );
}
