/**
 * One field of the draft: an input fitted to its value (text, number, switch; JSON for lists and
 * objects), its JSON path, and the problems the API reported there — shown as you type.
 */
import { useEffect, useState } from 'preact/hooks';
import { type PathSegment, type Problem, concerns, jsonPath, problemText, shortName } from './fields.ts';

export interface FieldProps {
  name: string;
  segments: PathSegment[];
  value: unknown;
  problems: Problem[];
  onChange: (segments: PathSegment[], value: unknown) => void;
  readOnly?: boolean;
}

let nextId = 0;

export function Field({ name, segments, value, problems, onChange, readOnly }: FieldProps) {
  const path = jsonPath(segments);
  const mine = problems.filter((problem) => concerns(problem, path));
  const [id] = useState(() => `field-${++nextId}`);
  const described = mine.length ? `${id}-problems` : undefined;
  const label = (
    <span class="label">
      {shortName(name)} <code class="key">{name}</code>
    </span>
  );
  let input;
  if (typeof value === 'boolean') {
    input = (
      <input
        id={id}
        type="checkbox"
        checked={value}
        disabled={readOnly}
        aria-describedby={described}
        onChange={(e) => onChange(segments, e.currentTarget.checked)}
      />
    );
  } else if (typeof value === 'number') {
    input = (
      <input
        id={id}
        type="number"
        value={value}
        readOnly={readOnly}
        aria-invalid={mine.length > 0}
        aria-describedby={described}
        onInput={(e) => {
          const text = e.currentTarget.value;
          onChange(segments, text === '' ? null : Number(text));
        }}
      />
    );
  } else if (typeof value === 'string' || value === undefined) {
    const long = (typeof value === 'string' && value.length > 90) || /description|summary/i.test(name);
    const common = {
      id,
      value: value ?? '',
      readOnly,
      'aria-invalid': mine.length > 0,
      'aria-describedby': described,
      onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => onChange(segments, e.currentTarget.value),
    };
    input = long ? <textarea rows={3} {...common} /> : <input type="text" {...common} />;
  } else {
    input = (
      <JsonInput id={id} value={value} readOnly={readOnly} invalid={mine.length > 0} describedBy={described} onChange={(next) => onChange(segments, next)} />
    );
  }
  return (
    <div class={`field${mine.length ? ' invalid' : ''}`} data-path={path}>
      <label for={id}>{label}</label>
      {input}
      {mine.length > 0 && (
        <ul class="problems" id={described}>
          {mine.map((problem, index) => (
            <li key={index}>
              {problem.path !== path && <code>{problem.path.slice(path.length)}</code>} {problemText(problem)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A list or object edited as JSON text; what does not parse stays local, with its own message. */
export function JsonInput(props: {
  id: string;
  value: unknown;
  readOnly?: boolean | undefined;
  invalid: boolean;
  describedBy?: string | undefined;
  onChange: (value: unknown) => void;
  rows?: number;
}) {
  const [text, setText] = useState(() => JSON.stringify(props.value, null, 2));
  const [syntax, setSyntax] = useState<string>();
  // A change from elsewhere (reload, the JSON tab) replaces the text unless it is what is typed.
  useEffect(() => {
    try {
      if (JSON.stringify(JSON.parse(text)) === JSON.stringify(props.value)) return;
    } catch {
      // the text typed does not parse: the new value wins
    }
    setText(JSON.stringify(props.value, null, 2));
    setSyntax(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.value]);
  const lines = Math.min(props.rows ?? 12, Math.max(2, text.split('\n').length));
  return (
    <>
      <textarea
        id={props.id}
        class="json"
        rows={lines}
        spellcheck={false}
        value={text}
        readOnly={props.readOnly}
        aria-invalid={props.invalid || syntax !== undefined}
        aria-describedby={props.describedBy}
        onInput={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          try {
            props.onChange(JSON.parse(next));
            setSyntax(undefined);
          } catch (error) {
            setSyntax((error as Error).message);
          }
        }}
      />
      {syntax && (
        <p class="problems" role="status">
          Not valid JSON yet: {syntax}
        </p>
      )}
    </>
  );
}
