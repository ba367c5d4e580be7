import type { MeshEvent } from '../src/index.js';

// The CloudEvents HTTP protocol binding, as pure functions over headers and bytes.
// Section numbers refer to cloudevents/spec http-protocol-binding.md (v1.0.2).

export const STRUCTURED = 'application/cloudevents+json';
export const BATCH = 'application/cloudevents-batch+json';

/** A media type split into its lower-cased essence and parameters. */
export interface MediaType {
  readonly essence: string;
  readonly charset: string | undefined;
}

export function mediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [essence = '', ...params] = header.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset') charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { essence: essence.trim().toLowerCase(), charset };
}

/** JSON media types: `application/json`, `text/json` and any `+json` suffix. */
export function isJson(type: MediaType): boolean {
  return type.essence === 'application/json' || type.essence === 'text/json' || type.essence.endsWith('+json');
}

/** Only UTF-8 text is decoded (JSON is UTF-8 by RFC 8259 §8.1; ASCII is a subset). */
export function isUtf8(type: MediaType): boolean {
  return type.charset === undefined || type.charset === 'utf-8' || type.charset === 'utf8' || type.charset === 'us-ascii';
}

// §3.1.3.2: header values are percent-encoded outside printable ASCII, and for
// space, double quote and percent. decodeURIComponent undoes exactly that, as UTF-8.
const NEEDS_ENCODING = /[^\x21\x23-\x24\x26-\x7e]/u;

export function encodeHeaderValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const ch of value) {
    out += NEEDS_ENCODING.test(ch) ? encodeURIComponent(ch) : ch;
  }
  return out;
}

/** Undoes §3.1.3.2; a malformed escape is kept as it was sent. */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Binary-mode body of an event, and the Content-Type that says how to read it (§3.1.1). */
export function binaryBody(event: MeshEvent): { body: Uint8Array | string | undefined; contentType: string | undefined } {
  const { data, datacontenttype } = event;
  if (data === undefined) return { body: undefined, contentType: datacontenttype };
  if (data instanceof Uint8Array) return { body: data, contentType: datacontenttype ?? 'application/octet-stream' };
  const type = mediaType(datacontenttype);
  if (typeof data === 'string' && type !== undefined && !isJson(type)) return { body: data, contentType: datacontenttype };
  return { body: JSON.stringify(data), contentType: datacontenttype ?? 'application/json' };
}

/** Binary-mode headers of an event: `ce-` plus each attribute but datacontenttype (§3.1.3). */
export function binaryHeaders(event: MeshEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.toJSON() as unknown as Record<string, unknown>)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined) continue;
    headers[`ce-${name}`] = encodeHeaderValue(attributeString(value));
  }
  return headers;
}

/** Extension values in their CloudEvents string form (binary as base64, §2 of the core spec). */
function attributeString(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return String(value);
}

/**
 * The W3C trace context an event carries as the CloudEvents distributed-tracing
 * extension (`traceparent`, `tracestate`) and its `baggage`: over HTTP they are also the
 * plain W3C headers, which the extension must match on a single hop.
 */
export const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;

/** The plain `traceparent` / `tracestate` / `baggage` headers of an event that has those extensions. */
export function traceHeaders(event: MeshEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = event[name];
    if (typeof value === 'string' && value !== '') headers[name] = value;
  }
  return headers;
}
