import { MeshError } from '../../errors.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import { decodeMessage, encodeCloudEventBody, type CloudEventJson } from '../../wire/bodies/message.js';
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

/** PROTOCOL §8.3 / §11.7: pushes carry only `protocoltype` and the event in the JSON format. */
export function pushFrame(cmd: WireCommand, seq: string, body: Buffer): WireFrame {
  return { header: { cmd, code: 0, seq, properties: { protocoltype: 'cloudevents' } }, body };
}

/** PROTOCOL §8.5: the answer to a REQUEST_TO_SERVER, with the request's seq (which the client chose, so checked whole). */
export function responseFrame(seq: string | undefined, reply: MeshEvent): WireFrame {
  return fitted({ header: { cmd: 'RESPONSE_TO_CLIENT', code: 0, desc: SUCCESS, seq, properties: { protocoltype: 'cloudevents' } }, body: pushBody(reply) });
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
 * PROTOCOL §8.3: the event with every attribute it has, plus the three protocol
 * extensions and `datacontenttype` where absent, in sdk-java JsonFormat key order (PROTOCOL §11.7). Throws
 * ERR_MESH_WIRE_FRAME_TOO_LARGE for one no push frame can carry.
 */
export function pushBody(event: MeshEvent): Buffer {
  const json = event.toJSON() as unknown as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(PROTOCOL_EXTENSIONS)) json[key] ??= value;
  // PROTOCOL §11.7: what Java pushes say. The Java SDK cannot send an event back (the SYNC
  // idiom, §8.5) without a content type it resolves to a format; binary data keeps none,
  // as a JSON type would make sdk-java write its bytes as raw JSON.
  if (json['datacontenttype'] === undefined && json['data_base64'] === undefined) json['datacontenttype'] = CLOUDEVENTS_JSON;
  const body = encodeCloudEventBody(json as CloudEventJson);
  fitted(pushFrame(LONGEST_PUSH, LARGEST_SEQ, body));
  return body;
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
  Object.assign(out, m.properties, { id: frame.header.seq, source: '/', type: 'eventmeshmessage', subject: m.topic, data: m.body });
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
