import { MeshError } from '../errors.js';

/** A piece of a compiled template: literal text, or a variable (and whether it sits inside a JSON string). */
type Part = string | { readonly name: string; readonly inString: boolean };

/** A template compiled once: `render(values)` gives the new `data`. */
export interface CompiledTemplate {
  /** JSON when the template is JSON with placeholders; text otherwise. */
  readonly json: boolean;
  /** The variables it uses. */
  readonly names: ReadonlySet<string>;
  render(values: ReadonlyMap<string, unknown>): unknown;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Compiles a template: text with `${name}` placeholders. A template that is JSON once its
 * placeholders are filled (`{"order":"${id}","total":${total}}`) renders to that JSON value:
 * a placeholder inside a JSON string is inserted escaped as string content, one outside is
 * inserted as JSON (a number, an object…). Any other template renders to text, each value
 * as is (a string) or as JSON.
 */
export function compileTemplate(template: string): CompiledTemplate {
  if (typeof template !== 'string') throw invalid('transform.template must be a string');
  const parts = split(template);
  const names = new Set(parts.flatMap((p) => (typeof p === 'string' ? [] : [p.name])));
  const probe = parts.map((p) => (typeof p === 'string' ? p : p.inString ? '' : 'null')).join('');
  let json = true;
  try {
    JSON.parse(probe);
  } catch {
    json = false;
    if (/^\s*[[{]/.test(template)) throw invalid(`transform.template looks like JSON but is not valid JSON: ${template}`);
  }
  return {
    json,
    names,
    render: (values) => {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : insert(values.get(p.name), json, p.inString);
      return json ? JSON.parse(out) as unknown : out;
    },
  };
}

function insert(value: unknown, json: boolean, inString: boolean): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (!json) return text;
  return inString ? JSON.stringify(text).slice(1, -1) : JSON.stringify(value);
}

/** Splits at placeholders, noting for each whether a JSON string is open there. */
function split(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const index = m.index;
    parts.push(template.slice(last, index));
    parts.push({ name: m[1] as string, inString: insideString(template, index) });
    last = index + m[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

/** Whether position `at` is inside a double-quoted string (JSON's escapes honoured). */
function insideString(text: string, at: number): boolean {
  let open = false;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (c === '\\' && open) i++;
    else if (c === '"') open = !open;
  }
  return open;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message, { details: { option: 'transform.template' } });
}
