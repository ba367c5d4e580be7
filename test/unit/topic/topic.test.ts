import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { MAX_TOPIC_LENGTH, assertTopic, topicProblem } from '../../../src/topic/topic.js';

const INVALID_TOPIC = expect.objectContaining({ code: 'ERR_MESH_INVALID_TOPIC', name: 'MeshError' });

describe('topicProblem / assertTopic', () => {
  it.each([
    ['a single level', 'orders'],
    ['a dotted hierarchy', 'com.shop.order.created'],
    ['digits, dashes, underscores and colons', 'v1.order-created_ok:x'],
    ['non-ASCII letters', 'café.überweisung.注文'],
    ['a topic of exactly the maximum length', 'a'.repeat(MAX_TOPIC_LENGTH)],
    ['many short levels', Array.from({ length: 100 }, (_, i) => `l${i}`).join('.')],
  ])('accepts %s', (_name, topic) => {
    expect(topicProblem(topic)).toBeUndefined();
    expect(() => assertTopic(topic)).not.toThrow();
  });

  it.each([
    ['an empty string', ''],
    ['a lone dot', '.'],
    ['an empty level in the middle', 'com..shop'],
    ['a leading dot', '.com.shop'],
    ['a trailing dot', 'com.shop.'],
    ['a `*` level', 'com.*.created'],
    ['a `#` level', 'com.shop.#'],
    ['a `*` inside a level', 'com.sh*p'],
    ['a `#` inside a level', 'order#1'],
    ['a space', 'com.shop order'],
    ['a leading space', ' com.shop'],
    ['a tab', 'com.\tshop'],
    ['a newline', 'com.shop\n'],
    ['a carriage return', 'com\r.shop'],
    ['a non-breaking space', 'com.shop\u00a0order'],
    ['an ideographic space', 'com.shop\u3000order'],
    ['an em space', 'com.\u2003shop'],
    ['a line separator', 'com.\u2028shop'],
    ['a zero-width no-break space (BOM)', '\ufeffcom.shop'],
    ['a NUL control character', 'com.\u0000shop'],
    ['a DEL control character', 'com.\u007fshop'],
    ['a topic one character over the maximum length', 'a'.repeat(MAX_TOPIC_LENGTH + 1)],
  ])('rejects a topic with %s', (_name, topic) => {
    expect(topicProblem(topic)).toEqual(expect.any(String));
    expect(() => assertTopic(topic)).toThrow(INVALID_TOPIC);
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { type: 'a.b' }],
    ['an array of levels', ['a', 'b']],
    ['a String object', new String('a.b')],
  ])('rejects %s as a topic', (_name, value) => {
    expect(topicProblem(value)).toEqual(expect.any(String));
    expect(() => assertTopic(value)).toThrow(INVALID_TOPIC);
  });

  it('throws a non-retryable MeshError that names the topic in its details', () => {
    const err = thrown(() => assertTopic('a..b'));
    expect(err).toBeInstanceOf(MeshError);
    expect(err).toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC', retryable: false, details: { topic: 'a..b' } });
  });
});

/** The error `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}
