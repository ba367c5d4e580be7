import { MeshError, assertTopic, compileFilter, type EventFilter, type MeshErrorCode, type TransformSpec } from '../src/index.js';
import { compileTransform } from '../src/internal.js';
import type { HttpSettings, SubscriptionRecord } from './subscription-record.js';

/** A subscription request as checked: the record less its id. */
export type SubscriptionInput = Omit<SubscriptionRecord, 'id'>;

/** Delivery protocols served; the spec names `HTTP`, `MQTT3`, `MQTT5`, `AMQP`, `NATS`, `KAFKA`. */
export const PROTOCOLS: readonly string[] = ['HTTP'];

// `id` is ignored on input (§3.2.1); `sinkcredential` is refused by name below.
// `transform` is evmesh's extension (README "Transforming events"); the rest is the spec's.
const FIELDS = new Set(['id', 'sink', 'protocol', 'protocolsettings', 'types', 'source', 'filters', 'config', 'sinkcredential', 'transform']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Set by the sink itself (the CloudEvents binding, the transport): a copy would clash.
const RESERVED_HEADERS = new Set([
  'content-type', 'content-length', 'host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect',
  'traceparent', 'tracestate', 'baggage',
]);

/**
 * Checks a `POST /subscriptions` body against the spec's subscription object (§3.2.1)
 * and what this node serves; throws a MeshError whose `details.field` names the
 * offending member (`sink`, `types[1]`, `filters[0]`, `protocolsettings.headers.x-a`).
 * The sink's URL is checked here; whether it is allowed is the router's business.
 */
export function parseSubscription(body: unknown): SubscriptionInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('(body)', 'the body must be a JSON object (a subscription)');
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) throw bad(key, `"${key}" is not a property of a subscription`);
  }
  if (input['sinkcredential'] !== undefined) {
    throw bad('sinkcredential', 'sinkcredential is not supported: send credentials as protocolsettings.headers (e.g. authorization)');
  }
  sinkUrl(input['sink']);
  protocol(input['protocol']);
  return {
    sink: input['sink'] as string,
    protocol: 'HTTP',
    ...optional('protocolsettings', httpSettings(input['protocolsettings'])),
    ...optional('types', types(input['types'])),
    ...optional('source', source(input['source'])),
    ...optional('filters', filters(input['filters'])),
    ...optional('config', config(input['config'])),
    ...optional('transform', transform(input['transform'])),
  };
}

/** Compiled here only to refuse a bad one with its field named; the sink compiles it again. */
function transform(value: unknown): TransformSpec | undefined {
  if (value === undefined) return undefined;
  try {
    compileTransform(value as TransformSpec);
  } catch (err) {
    throw bad('transform', err instanceof Error ? err.message : String(err), err, undefined, codeOf(err));
  }
  return value as TransformSpec;
}

/** The sink as a URL: absolute, http or https. */
export function sinkUrl(sink: unknown): URL {
  if (typeof sink !== 'string' || sink.length === 0) throw bad('sink', 'sink is required: the absolute http(s) URL events are delivered to');
  let url: URL;
  try {
    url = new URL(sink);
  } catch (err) {
    throw bad('sink', `sink ${JSON.stringify(sink)} is not an absolute URL`, err);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('sink', `sink must be an http or https URL, not ${url.protocol}`);
  return url;
}

function protocol(value: unknown): void {
  // Case-sensitive, as the spec says (§3.2.1 protocol).
  if (typeof value !== 'string' || !PROTOCOLS.includes(value)) {
    throw bad('protocol', `protocol ${value === undefined ? 'is required' : `${JSON.stringify(value)} is not served`}: this node delivers over ${PROTOCOLS.join(', ')}`, undefined, { supported: PROTOCOLS });
  }
}

function httpSettings(value: unknown): HttpSettings | undefined {
  if (value === undefined) return undefined;
  const settings = object(value, 'protocolsettings');
  for (const key of Object.keys(settings)) {
    if (key !== 'headers' && key !== 'method') throw bad(`protocolsettings.${key}`, `"${key}" is not an HTTP protocol setting (headers, method)`);
  }
  const { method } = settings;
  if (method !== undefined && method !== 'POST' && method !== 'PUT') throw bad('protocolsettings.method', 'method must be POST or PUT');
  const headers = settings['headers'] === undefined ? undefined : object(settings['headers'], 'protocolsettings.headers');
  for (const [name, v] of Object.entries(headers ?? {})) {
    const field = `protocolsettings.headers.${name}`;
    if (!HEADER_NAME.test(name)) throw bad(field, `${JSON.stringify(name)} is not an HTTP header name`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('ce-')) throw bad(field, `${name} is set by the sink itself (the CloudEvents HTTP binding), not by a subscription`);
    if (typeof v !== 'string' || !HEADER_VALUE.test(v)) throw bad(field, `the value of header ${name} must be a string without control characters`);
  }
  return {
    ...optional('headers', headers as Record<string, string> | undefined),
    ...optional('method', method as HttpSettings['method']),
  };
}

function types(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw bad('types', 'types must be a non-empty array of CloudEvents types (leave it out for every type)');
  value.forEach((type: unknown, i) => {
    if (typeof type !== 'string' || type.length === 0) throw bad(`types[${i}]`, 'a type must be a non-empty string');
    try {
      // The topic of an event is its type: one that is not a valid topic never arrives.
      assertTopic(type);
    } catch (err) {
      throw bad(`types[${i}]`, `${JSON.stringify(type)} is not an event type this mesh carries: ${(err as Error).message}`, err, undefined, codeOf(err));
    }
  });
  return value as string[];
}

function source(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw bad('source', 'source must be a non-empty string (a CloudEvents source)');
  return value;
}

function filters(value: unknown): readonly EventFilter[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw bad('filters', 'filters must be an array of filter expressions (all must accept an event)', undefined, undefined, 'ERR_MESH_INVALID_FILTER');
  value.forEach((filter: unknown, i) => {
    try {
      compileFilter(filter);
    } catch (err) {
      throw bad(`filters[${i}]`, (err as Error).message, err, undefined, codeOf(err));
    }
  });
  return value as EventFilter[];
}

function config(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined) return undefined;
  const map = object(value, 'config');
  if (Object.keys(map).some((k) => k.length === 0)) throw bad('config', 'config keys must be non-empty strings');
  return map;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(field, `${field} must be an object`);
  return value as Record<string, unknown>;
}

/** `{ [key]: value }`, or nothing when the value is absent, so records hold no `undefined` members. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function codeOf(err: unknown): MeshErrorCode {
  return err instanceof MeshError ? err.code : 'ERR_MESH_INVALID_OPTIONS';
}

/** A refused request: `field` names the member, `code` is the closest ERR_MESH_* code. */
export function bad(field: string, message: string, cause?: unknown, extra?: Readonly<Record<string, unknown>>, code: MeshErrorCode = 'ERR_MESH_INVALID_OPTIONS'): MeshError {
  return new MeshError(code, message, { cause, details: { ...extra, field } });
}
