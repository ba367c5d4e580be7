import { isCoreAttribute, type MeshEvent } from './mesh-event.js';

/**
 * `JSON.stringify(event)`, the structured-mode JSON form, byte for byte, written
 * without first building the intermediate object `toJSON` returns. This runs once
 * per event that leaves the process, where the object and its second walk measured
 * about a fifth of the serialization. (A `toJSON` method of `data` itself sees the
 * key `''` here, not `'data'`.)
 */
export function eventJson(event: MeshEvent): string {
  let out = `{"specversion":"1.0","id":${JSON.stringify(event.id)},"source":${JSON.stringify(event.source)},"type":${JSON.stringify(event.type)},"time":${JSON.stringify(event.time)}`;
  if (event.subject !== undefined) out += `,"subject":${JSON.stringify(event.subject)}`;
  if (event.datacontenttype !== undefined) out += `,"datacontenttype":${JSON.stringify(event.datacontenttype)}`;
  if (event.dataschema !== undefined) out += `,"dataschema":${JSON.stringify(event.dataschema)}`;
  for (const key in event) {
    if (isCoreAttribute(key) || !Object.hasOwn(event, key)) continue;
    const value = JSON.stringify(event[key]) as string | undefined;
    if (value !== undefined) out += `,${JSON.stringify(key)}:${value}`;
  }
  const data = event.data;
  if (data instanceof Uint8Array) {
    // CloudEvents JSON format §3.1: binary data travels base64-encoded.
    out += `,"data_base64":"${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}"`;
  } else if (data !== undefined) {
    const text = JSON.stringify(data) as string | undefined;
    if (text !== undefined) out += `,"data":${text}`;
  }
  return `${out}}`;
}
