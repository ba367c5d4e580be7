import type { IncomingHttpHeaders } from 'node:http';
import { MeshError, type MeshErrorCode } from '../src/index.js';
import { toMeshEvent, type EventFactory, type MeshEvent } from '../src/internal.js';
import { BATCH, STRUCTURED, TRACE_HEADERS, decodeHeaderValue, isJson, isUtf8, mediaType, type MediaType } from './http-binding.js';

/** What is wrong with one event of a batch. */
export interface EventProblem {
  readonly index: number;
  readonly code: MeshErrorCode;
  readonly detail: string;
}

// Required by CloudEvents 1.0 on the wire; the kernel would fill in a missing id,
// but an HTTP sender that omits one sent something that is not a CloudEvent.
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
// RFC 4648 §4 alphabet; padding may be left out. Node's decoder would skip any
// other character silently and publish bytes the sender never meant.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Turns one HTTP request (headers and raw body) into validated mesh events: a
 * binary-mode event (`ce-*` headers), a structured one (`application/cloudevents+json`)
 * or a batch (`application/cloudevents-batch+json`). Every event is validated
 * before any is returned, so a caller publishing the result is all or nothing.
 * Throws a MeshError: `ERR_MESH_UNSUPPORTED_MEDIA_TYPE` for anything else,
 * `ERR_MESH_INVALID_EVENT`/`_TOPIC` for bad events (`details.errors` per event of a batch).
 */
export function ingest(factory: EventFactory, headers: IncomingHttpHeaders, body: Buffer): MeshEvent[] {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw unsupported(`Content-Encoding ${encoding} is not accepted; send the body uncompressed`);
  }
  const type = mediaType(headers['content-type']);
  if (type?.essence === STRUCTURED) return [structured(factory, json(type, body))];
  if (type?.essence === BATCH) return batch(factory, json(type, body));
  // Any ce-* header means binary mode was meant: say which required one is missing.
  if (headers['ce-specversion'] !== undefined || hasCeHeader(headers)) return [binary(factory, headers, type, body)];
  throw unsupported(type === undefined
    ? 'A CloudEvent needs ce-* headers (binary mode) or Content-Type application/cloudevents+json or application/cloudevents-batch+json'
    : `Content-Type ${type.essence} without ce-* headers is not a CloudEvent this endpoint reads (JSON structured and batch formats only)`);
}

function structured(factory: EventFactory, value: unknown): MeshEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('a structured CloudEvent must be a JSON object');
  for (const name of REQUIRED) {
    if ((value as Record<string, unknown>)[name] === undefined) throw invalid(`"${name}" is required`);
  }
  if (Object.hasOwn(value, 'data_base64')) {
    const encoded = (value as Record<string, unknown>)['data_base64'];
    // JSON format §3.1.1: both members, null or not, make the input invalid.
    if (Object.hasOwn(value, 'data')) throw invalid('"data" and "data_base64" must not both be present');
    if (typeof encoded !== 'string' || !BASE64.test(encoded)) throw invalid('"data_base64" must be base64 (RFC 4648)');
  }
  return toMeshEvent(factory, value);
}

function batch(factory: EventFactory, value: unknown): MeshEvent[] {
  if (!Array.isArray(value)) throw invalid('a CloudEvents batch must be a JSON array');
  const events: MeshEvent[] = [];
  const problems: EventProblem[] = [];
  value.forEach((item: unknown, index) => {
    try {
      events.push(structured(factory, item));
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      problems.push({ index, code: err.code, detail: err.message });
    }
  });
  if (problems.length === 0) return events;
  const codes = new Set(problems.map((p) => p.code));
  const code = codes.size === 1 ? (problems[0] as EventProblem).code : 'ERR_MESH_INVALID_EVENT';
  throw new MeshError(code, `${problems.length} of ${value.length} events in the batch are invalid (first: event ${(problems[0] as EventProblem).index}: ${(problems[0] as EventProblem).detail}); none was published`, {
    details: { errors: problems },
  });
}

function binary(factory: EventFactory, headers: IncomingHttpHeaders, type: MediaType | undefined, body: Buffer): MeshEvent {
  const attrs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    const attr = name.slice(3);
    // Data travels in the body only; a header must not smuggle it in.
    if (attr === 'data' || attr === 'data_base64') throw invalid(`header ${name} is not a CloudEvents attribute`);
    attrs[attr] = decodeHeaderValue(Array.isArray(value) ? value.join(',') : value);
  }
  const missing = REQUIRED.filter((name) => attrs[name] === undefined).map((name) => `ce-${name}`);
  if (missing.length > 0) {
    throw invalid(`binary mode needs the headers ce-specversion, ce-id, ce-source and ce-type; missing: ${missing.join(', ')}`);
  }
  // The sender's W3C trace context, when no ce- header gives the extension (distributed-tracing extension).
  for (const name of TRACE_HEADERS) {
    const value = headers[name];
    if (attrs[name] === undefined && value !== undefined && value !== '') attrs[name] = Array.isArray(value) ? value.join(',') : value;
  }
  if (headers['content-type'] !== undefined) attrs['datacontenttype'] = headers['content-type'];
  attrs['data'] = binaryData(type, body);
  return toMeshEvent(factory, attrs);
}

function hasCeHeader(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) if (name.startsWith('ce-')) return true;
  return false;
}

/** §3.1.1: the body is the data, read as its Content-Type says. */
function binaryData(type: MediaType | undefined, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (type === undefined) return body;
  if (isJson(type)) return json(type, body);
  if (type.essence.startsWith('text/') && isUtf8(type)) return body.toString('utf8');
  return body;
}

function json(type: MediaType, body: Buffer): unknown {
  if (!isUtf8(type)) throw unsupported(`charset ${String(type.charset)} is not accepted; JSON must be UTF-8`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new MeshError('ERR_MESH_INVALID_EVENT', `The body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function invalid(problem: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_EVENT', `Invalid CloudEvent: ${problem}`);
}

function unsupported(detail: string): MeshError {
  return new MeshError('ERR_MESH_UNSUPPORTED_MEDIA_TYPE', detail);
}
