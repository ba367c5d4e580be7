import { MeshError } from '../../errors.js';
import { extensionsOf, type MeshEvent } from '../../event/mesh-event.js';
import {
  decodeMessage, encodeCloudEventBody, encodeEventMeshMessage, type CloudEventJson, type WireProtocolType,
} from '../../wire/bodies/message.js';
import { DEFAULT_MAX_FRAME, FIXED_PREFIX_SIZE, replyCommandOf, type WireCommand } from '../../wire/constants.js';
import type { WireFrame } from '../../wire/frame.js';
import { headerJson } from '../../wire/header.js';
import type { JsonValue } from '../../wire/json.js';

/** PROTOCOL §11.2: what success replies say. */
const SUCCESS = 'success';

/** PROTOCOL §11.4 rule 5: the reply (or error reply) to `request`, echoing its seq. */
export function replyFrame(request: WireFrame, error?: MeshError): WireFrame {
  const cmd = replyCommandOf(request.header.cmd);
  // PROTOCOL §8.4: a failure names its ERR_MESH_* code first, so clients can match on it.
  const desc = error === undefined ? SUCCESS : `${error.code}: ${error.message}`;
  return { header: { cmd, code: error === undefined ? 0 : 1, desc, seq: request.header.seq, properties: {} }, body: undefined };
}

/** PROTOCOL §11.14: on shutdown, code 0 and no seq. */
export function serverGoodbyeFrame(): WireFrame {
  return { header: { cmd: 'SERVER_GOODBYE_REQUEST', code: 0, desc: 'graceful normal quit from eventmesh', properties: {} }, body: undefined };
}

/** PROTOCOL §8.3 / §11.7: pushes carry only `protocoltype`, which says how the body is read. */
export function pushFrame(cmd: WireCommand, seq: string, body: Buffer, protocol: WireProtocolType): WireFrame {
  return { header: { cmd, code: 0, seq, properties: { protocoltype: protocol } }, body };
}

/**
 * PROTOCOL §8.3 / §11.7: an event is pushed in the protocol it was published with, as
 * its `protocoltype` extension says (a stock client's publish has it); an event without
 * one (published in the mesh) is pushed as a CloudEvent.
 */
export function pushProtocolOf(event: MeshEvent): WireProtocolType {
  return event['protocoltype'] === 'eventmeshmessage' ? 'eventmeshmessage' : 'cloudevents';
}

/** PROTOCOL §8.5: the answer to a REQUEST_TO_SERVER, with the request's seq (which the client chose, so checked whole). */
export function responseFrame(seq: string | undefined, reply: MeshEvent): WireFrame {
  return fitted({ header: { cmd: 'RESPONSE_TO_CLIENT', code: 0, desc: SUCCESS, seq, properties: { protocoltype: 'cloudevents' } }, body: cloudEventBody(reply) });
}

/**
 * PROTOCOL §11.1: a Java client closes the connection on a frame over 4 MiB, and our
 * encoder refuses one; refused here instead, the session that was to get it is kept.
 */
function fitted(frame: WireFrame): WireFrame {
  const size = FIXED_PREFIX_SIZE + Buffer.byteLength(headerJson(frame.header), 'utf8') + (frame.body?.length ?? 0);
  if (size > DEFAULT_MAX_FRAME) {
    throw new MeshError('ERR_MESH_WIRE_FRAME_TOO_LARGE', `a ${frame.header.cmd} of ${size} bytes exceeds the frame limit of ${DEFAULT_MAX_FRAME}`, {
      details: { cmd: frame.header.cmd, size, limit: DEFAULT_MAX_FRAME },
    });
  }
  return frame;
}

/** The longest push command and seq (PROTOCOL §8.3): a body that fits this header fits every push. */
const LONGEST_PUSH: WireCommand = 'BROADCAST_MESSAGE_TO_CLIENT';
const LARGEST_SEQ = '2147483647';

// PROTOCOL §11.7: the runtime's pushes carry the publisher's protocol extensions; mesh
// events get them too, so a Java subscriber sees what a Java publisher would send.
const PROTOCOL_EXTENSIONS = { protocoltype: 'cloudevents', protocolversion: '1.0', protocoldesc: 'tcp' } as const;
const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * PROTOCOL §8.3: the body of a push of `event`, in its protocol (`pushProtocolOf`).
 * Throws ERR_MESH_WIRE_FRAME_TOO_LARGE for one no push frame can carry.
 */
export function pushBody(event: MeshEvent): Buffer {
  const protocol = pushProtocolOf(event);
  const body = protocol === 'eventmeshmessage' ? eventMeshMessageBody(event) : cloudEventBody(event);
  fitted(pushFrame(LONGEST_PUSH, LARGEST_SEQ, body, protocol));
  return body;
}

/**
 * PROTOCOL §8.3: the event with every attribute it has, plus the three protocol
 * extensions and `datacontenttype` where absent, in sdk-java JsonFormat key order (PROTOCOL §11.7).
 */
function cloudEventBody(event: MeshEvent): Buffer {
  const json = event.toJSON() as unknown as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(PROTOCOL_EXTENSIONS)) json[key] ??= value;
  // PROTOCOL §11.7: what Java pushes say. The Java SDK cannot send an event back (the SYNC
  // idiom, §8.5) without a content type it resolves to a format; binary data keeps none,
  // as a JSON type would make sdk-java write its bytes as raw JSON.
  if (json['datacontenttype'] === undefined && json['data_base64'] === undefined) json['datacontenttype'] = CLOUDEVENTS_JSON;
  return encodeCloudEventBody(json as CloudEventJson);
}

/**
 * PROTOCOL §11.7 (`eventmeshmessage` pushed back): `topic` = the subject (the type where
 * there is none), `properties` = every extension as a string, `headers.datacontenttype`
 * where the event has one, `body` = the data as text (UTF-8 for binary data, JSON for
 * anything but a string, empty for none).
 */
function eventMeshMessageBody(event: MeshEvent): Buffer {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(extensionsOf(event))) {
    if (value !== undefined && value !== null) properties[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  properties['protocolversion'] ??= PROTOCOL_EXTENSIONS.protocolversion;
  properties['protocoldesc'] ??= PROTOCOL_EXTENSIONS.protocoldesc;
  const type = event.datacontenttype;
  return encodeEventMeshMessage({
    topic: event.subject ?? event.type,
    properties,
    ...(type === undefined ? {} : { headers: { datacontenttype: type } }),
    body: textOf(event.data),
  });
}

function textOf(data: unknown): string {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  return JSON.stringify(data) ?? '';
}

/**
 * PROTOCOL §8.4: a published frame as CloudEvent input. Header properties become
 * extensions (as on Java, PROTOCOL §11.7) unless the event has that attribute; an
 * `eventmeshmessage` body maps as PROTOCOL §11.7 says (id = seq, subject = topic).
 */
export function inboundEvent(frame: WireFrame): Record<string, unknown> {
  let message;
  try {
    message = decodeMessage(frame.header.properties, frame.body);
  } catch (err) {
    throw err instanceof MeshError ? new MeshError('ERR_MESH_INVALID_EVENT', err.message, { cause: err }) : err;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(frame.header.properties)) if (typeof value === 'string') out[key] = value;
  if (message.protocol === 'cloudevents') return Object.assign(out, message.event);
  const m = message.message;
  // `protocoltype` says so even where the header left it out (PROTOCOL §11.7: absent means
  // eventmeshmessage): the event is pushed back in this protocol (PROTOCOL §8.3).
  Object.assign(out, m.properties, { id: frame.header.seq, source: '/', type: 'eventmeshmessage', subject: m.topic, data: m.body, protocoltype: 'eventmeshmessage' });
  const contentType = m.headers?.['datacontenttype'];
  if (contentType !== undefined) out['datacontenttype'] = contentType;
  return out;
}

/** PROTOCOL §8.2: a stock client's event is routed by its subject, which must be a topic. */
export function subjectOf(event: MeshEvent): string {
  if (event.subject === undefined) {
    throw new MeshError('ERR_MESH_INVALID_EVENT', 'an event from an EventMesh client needs a subject: it is the topic (PROTOCOL §11.7)');
  }
  return event.subject;
}
