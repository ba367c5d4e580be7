import { describe, expect, it } from 'vitest';
import {
  ackCommandOf, decodeAckBody, decodeCloudEventBody, decodeEventMeshMessage, decodeMessage, decodeRedirectInfo,
  decodeSubscription, decodeUserAgent, encodeAckBody, encodeCloudEventBody, encodeEventMeshMessage, encodeFrame,
  encodeMessage, encodeRedirectInfo, encodeSubscription, encodeUserAgent, messageProperties, protocolTypeOf,
  type CloudEventJson, type SubscriptionBody, type UserAgent,
} from '../../src/wire/index.js';
import { expectThrowCode } from '../support/expect-code.js';
import { VECTORS } from './vectors.js';

const [HELLO, , SUBSCRIBE, CE_PUBLISH, , , , EMM_PUBLISH, SERVER_ACK, CE_PUSH, SDK_ACK, EMM_PUSH] = VECTORS.map((v) => v.frame);
const json = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('UserAgent body (PROTOCOL §11.5)', () => {
  it('decodes the body of the HELLO vector and writes it back byte for byte', () => {
    const agent = decodeUserAgent(HELLO!.body);
    expect(agent).toMatchObject({ group: 'EventmeshTestGroup', purpose: 'pub', pid: 32893, port: 8362, version: '2.0.11', unack: 0 });
    expect(agent.token).toBeUndefined();
    expect(encodeUserAgent(agent)).toEqual(HELLO!.body);
  });

  it('writes Java field order whatever the input order, omitting absent strings and defaulting ints to 0', () => {
    const agent = { purpose: 'sub', group: 'g', version: '1', token: 't' } as unknown as UserAgent;
    expect(encodeUserAgent(agent).toString()).toBe('{"pid":0,"port":0,"version":"1","token":"t","group":"g","purpose":"sub","unack":0}');
  });

  it('reads what Java reads: unknown keys ignored, absent ints as 0', () => {
    expect(decodeUserAgent(json('{"group":"g","future":1}'))).toEqual({ pid: 0, port: 0, group: 'g', unack: 0 });
  });

  it.each([
    ['no body', undefined],
    ['not JSON', json('{')],
    ['an array', json('[]')],
    ['a numeric group', json('{"group":5}')],
    ['a string pid', json('{"pid":"1"}')],
    ['a pid beyond int32', json('{"pid":4294967296}')],
  ])('refuses %s', (_name, body) => {
    expectThrowCode(() => decodeUserAgent(body), 'ERR_MESH_WIRE_BAD_BODY');
  });

  it('refuses to encode a field of the wrong type', () => {
    expectThrowCode(() => encodeUserAgent({ pid: 1.5, port: 0, unack: 0 }), 'ERR_MESH_WIRE_BAD_BODY');
    expectThrowCode(() => encodeUserAgent({ pid: 0, port: 0, unack: 0, group: 1 } as unknown as UserAgent), 'ERR_MESH_WIRE_BAD_BODY');
  });
});

describe('Subscription body (PROTOCOL §11.6)', () => {
  it('decodes the body of the SUBSCRIBE vector and writes it back byte for byte', () => {
    const subscription = decodeSubscription(SUBSCRIBE!.body);
    expect(subscription).toEqual({ topicList: [{ topic: 'TEST-TOPIC-TCP-ASYNC', mode: 'CLUSTERING', type: 'ASYNC' }] });
    expect(encodeSubscription(subscription)).toEqual(SUBSCRIBE!.body);
  });

  it('writes items in Java key order topic, mode, type', () => {
    const body = { topicList: [{ type: 'SYNC', mode: 'BROADCASTING', topic: 't' }] } as SubscriptionBody;
    expect(encodeSubscription(body).toString()).toBe('{"topicList":[{"topic":"t","mode":"BROADCASTING","type":"SYNC"}]}');
  });

  it.each([
    ['no body', undefined],
    ['no topicList', json('{}')],
    ['a topicList object', json('{"topicList":{}}')],
    ['an item that is a string', json('{"topicList":["t"]}')],
    ['a lowercase mode', json('{"topicList":[{"topic":"t","mode":"clustering","type":"ASYNC"}]}')],
    ['mode UNRECOGNIZED', json('{"topicList":[{"topic":"t","mode":"UNRECOGNIZED","type":"ASYNC"}]}')],
    ['an unknown type', json('{"topicList":[{"topic":"t","mode":"CLUSTERING","type":"LATER"}]}')],
    ['a missing topic', json('{"topicList":[{"mode":"CLUSTERING","type":"ASYNC"}]}')],
  ])('refuses %s', (_name, body) => {
    expectThrowCode(() => decodeSubscription(body), 'ERR_MESH_WIRE_BAD_BODY');
  });
});

describe('RedirectInfo body (PROTOCOL §11.8)', () => {
  it('writes and reads {"ip","port"} as in PROTOCOL §11.8', () => {
    const bytes = encodeRedirectInfo({ ip: '10.0.0.1', port: 10000 });
    expect(bytes.toString()).toBe('{"ip":"10.0.0.1","port":10000}');
    expect(decodeRedirectInfo(bytes)).toEqual({ ip: '10.0.0.1', port: 10000 });
  });

  it.each([
    ['no body', undefined],
    ['a port out of range', json('{"ip":"h","port":70000}')],
    ['a string port', json('{"ip":"h","port":"1"}')],
    ['an empty ip', json('{"ip":"","port":1}')],
  ])('refuses %s', (_name, body) => {
    expectThrowCode(() => decodeRedirectInfo(body), 'ERR_MESH_WIRE_BAD_BODY');
  });
});

describe('message bodies (PROTOCOL §11.7)', () => {
  it('decodes the CloudEvent publish vector and writes it back byte for byte', () => {
    const message = decodeMessage(CE_PUBLISH!.header.properties, CE_PUBLISH!.body);
    expect(message).toMatchObject({ protocol: 'cloudevents', event: { subject: 'TEST-TOPIC-TCP-ASYNC', data: { content: 'testAsyncMessage' } } });
    expect(encodeMessage(message)).toEqual(CE_PUBLISH!.body);
  });

  it('decodes the CloudEvent push a Java server sends, runtime extensions included, and writes it back byte for byte', () => {
    const message = decodeMessage(CE_PUSH!.header.properties, CE_PUSH!.body);
    expect(message).toMatchObject({ protocol: 'cloudevents', event: { rsp0group: 'EventmeshTestGroup', ttl: '30000' } });
    expect(encodeMessage(message)).toEqual(CE_PUSH!.body);
  });

  it('writes sdk-java JsonFormat key order for an event built in another order', () => {
    const event = { data: 1, ttl: '5', time: 't', subject: 's', type: 'x', source: '/', id: '1', specversion: '1.0' } as CloudEventJson;
    expect(encodeCloudEventBody(event).toString())
      .toBe('{"specversion":"1.0","id":"1","source":"/","type":"x","subject":"s","time":"t","ttl":"5","data":1}');
  });

  it('decodes the EventMeshMessage publish and push vectors and writes them back byte for byte', () => {
    for (const frame of [EMM_PUBLISH!, EMM_PUSH!]) {
      const message = decodeMessage(frame.header.properties, frame.body);
      expect(message.protocol).toBe('eventmeshmessage');
      expect(encodeMessage(message)).toEqual(frame.body);
    }
  });

  it('reads a frame without protocoltype as eventmeshmessage', () => {
    expect(protocolTypeOf({})).toBe('eventmeshmessage');
    expect(decodeMessage({}, EMM_PUBLISH!.body)).toMatchObject({ protocol: 'eventmeshmessage', message: { body: 'hi' } });
  });

  it('gives the three header properties in Java SDK order, as in the CloudEvent publish vector', () => {
    expect(messageProperties('cloudevents')).toEqual(CE_PUBLISH!.header.properties);
    expect(Object.keys(messageProperties('cloudevents'))).toEqual(Object.keys(CE_PUBLISH!.header.properties));
    const frame = { header: { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, seq: '3333333333', properties: messageProperties('cloudevents') }, body: CE_PUBLISH!.body } as const;
    expect(encodeFrame(frame)).toEqual(VECTORS[3]!.bytes);
  });

  it('writes an EventMeshMessage with empty properties when none are given', () => {
    expect(encodeEventMeshMessage({ topic: 't', properties: undefined as never, body: 'b' }).toString()).toBe('{"topic":"t","properties":{},"body":"b"}');
  });

  it.each([
    ['openmessage', { protocoltype: 'openmessage' }],
    ['an unknown protocol', { protocoltype: 'avro' }],
    ['a non-string protocoltype', { protocoltype: 1 }],
  ])('refuses protocoltype %s', (_name, properties) => {
    expectThrowCode(() => decodeMessage(properties, CE_PUBLISH!.body), 'ERR_MESH_WIRE_BAD_BODY');
  });

  it.each([
    ['no body', undefined],
    ['a JSON string literal (a quoted event)', json(JSON.stringify(CE_PUBLISH!.body!.toString()))],
    ['no id', json('{"specversion":"1.0","source":"/","type":"t"}')],
    ['an empty type', json('{"specversion":"1.0","id":"1","source":"/","type":""}')],
    ['a numeric subject', json('{"specversion":"1.0","id":"1","source":"/","type":"t","subject":1}')],
    ['both data and data_base64', json('{"specversion":"1.0","id":"1","source":"/","type":"t","data":1,"data_base64":"AA=="}')],
  ])('refuses a CloudEvent body with %s', (_name, body) => {
    expectThrowCode(() => decodeCloudEventBody(body), 'ERR_MESH_WIRE_BAD_BODY');
  });

  it.each([
    ['no body field (Java throws on a null body)', json('{"topic":"t"}')],
    ['no topic', json('{"body":"b"}')],
    ['a non-string property', json('{"topic":"t","body":"b","properties":{"n":1}}')],
    ['headers that are a string', json('{"topic":"t","body":"b","headers":"x"}')],
  ])('refuses an EventMeshMessage with %s', (_name, body) => {
    expectThrowCode(() => decodeEventMeshMessage(body), 'ERR_MESH_WIRE_BAD_BODY');
  });
});

describe('ACK bodies (PROTOCOL §11.8)', () => {
  it('reads the server ACK bean dump as opaque JSON', () => {
    expect(decodeAckBody(SERVER_ACK!.body)).toMatchObject({ specVersion: 'V1', subject: 'TEST-TOPIC-TCP-ASYNC' });
  });

  it('reads the Java SDK echo as the JSON string of the pushed event', () => {
    expect(decodeAckBody(SDK_ACK!.body)).toBe(CE_PUSH!.body!.toString());
    expect(encodeAckBody(decodeAckBody(SDK_ACK!.body))).toEqual(SDK_ACK!.body);
  });

  it('sends no body for an ACK without a value, and reads a missing body as undefined', () => {
    expect(encodeAckBody(undefined)).toBeUndefined();
    expect(decodeAckBody(undefined)).toBeUndefined();
  });

  it('refuses an ACK body that is not JSON', () => {
    expectThrowCode(() => decodeAckBody(json('not json')), 'ERR_MESH_WIRE_BAD_BODY');
  });

  it('names the ACK of each push with the same seq (PROTOCOL §11.12, §11.13)', () => {
    expect(ackCommandOf('ASYNC_MESSAGE_TO_CLIENT')).toBe('ASYNC_MESSAGE_TO_CLIENT_ACK');
    expect(ackCommandOf('BROADCAST_MESSAGE_TO_CLIENT')).toBe('BROADCAST_MESSAGE_TO_CLIENT_ACK');
    expect(ackCommandOf('REQUEST_TO_CLIENT')).toBe('REQUEST_TO_CLIENT_ACK');
    expect(ackCommandOf('RESPONSE_TO_CLIENT')).toBe('RESPONSE_TO_CLIENT_ACK');
    expect(ackCommandOf('HELLO_RESPONSE')).toBeUndefined();
  });
});
