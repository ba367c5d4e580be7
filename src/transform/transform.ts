import { MeshError } from '../errors.js';
import { MeshEvent } from '../event/mesh-event.js';
import { compileJsonPath, NOT_FOUND, readPath, type JsonPath } from './json-path.js';
import { compileTemplate } from './template.js';

/**
 * `SubscribeOptions.transform`: extract values from the event by JSONPath into named
 * variables, then build the new `data` from a template (README "Transforming events").
 * @example { extract: { id: '$.data.order.id' }, template: '{"order":"${id}"}' }
 */
export interface TransformSpec {
  /** Variables: name → a JSONPath into the event (`$.data.order.id`, `$.subject`, `$['data']['a b'][0]`). */
  readonly extract?: Readonly<Record<string, string>>;
  /** The new `data`, with `${name}` placeholders: JSON (rendered to a JSON value) or text. */
  readonly template: string;
}

/** A compiled transform: the event a handler sees instead of `event`. Throws ERR_MESH_TRANSFORM_FAILED. */
export type EventTransform = (event: MeshEvent) => MeshEvent;

/** Compiles `spec` once per subscription; a bad path or template throws ERR_MESH_INVALID_OPTIONS. */
export function compileTransform(spec: TransformSpec): EventTransform {
  if (typeof spec !== 'object' || spec === null) throw invalid('transform must be { extract?, template }');
  const extract = spec.extract ?? {};
  if (typeof extract !== 'object' || extract === null || Array.isArray(extract)) throw invalid('transform.extract must map names to JSONPaths');
  const paths = new Map<string, JsonPath>();
  for (const [name, path] of Object.entries(extract)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalid(`transform.extract: "${name}" is not a variable name ([A-Za-z_][A-Za-z0-9_]*)`);
    paths.set(name, compileJsonPath(path));
  }
  const template = compileTemplate(spec.template);
  for (const name of template.names) if (!paths.has(name)) throw invalid(`transform.template uses \${${name}}, which extract does not define`);
  const contentType = template.json ? 'application/json' : 'text/plain';
  return (event) => {
    const values = new Map<string, unknown>();
    for (const [name, path] of paths) {
      const value = readEvent(event, path);
      if (value === NOT_FOUND) {
        throw new MeshError('ERR_MESH_TRANSFORM_FAILED', `transform: ${extract[name] as string} (${name}) finds nothing in event ${event.id}`, {
          details: { eventId: event.id, variable: name, path: extract[name] },
        });
      }
      values.set(name, value);
    }
    return withData(event, template.render(values), contentType);
  };
}

/** The event's attributes (getters such as `time` included) at the root, then plain JSON below. */
function readEvent(event: MeshEvent, path: JsonPath): unknown {
  const [first, ...rest] = path;
  if (first === undefined) return event.toJSON();
  if (typeof first !== 'string') return NOT_FOUND;
  const value = event[first];
  return value === undefined ? NOT_FOUND : readPath(value, rest);
}

/** `event` with new data and content type: same id, time, type, source, subject and extensions. */
function withData(event: MeshEvent, data: unknown, contentType: string): MeshEvent {
  const out = new MeshEvent(event.id, event.type, event.source, data, event.timeMs, event.subject, contentType, undefined, event.time);
  for (const key of Object.keys(event)) {
    if (!(key in out)) (out as unknown as Record<string, unknown>)[key] = event[key];
  }
  return out;
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message, { details: { option: 'transform' } });
}
