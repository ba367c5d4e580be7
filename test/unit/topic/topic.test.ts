import { describe, expect, it } from 'vitest';
import { thrown } from '../../support/expect-code.js';
import { MeshError } from '../../../src/errors.js';
import { createMesh } from '../../../src/index.js';
import { MAX_TOPIC_LENGTH, assertTopic, topicProblem } from '../../../src/topic/topic.js';

const INVALID_TOPIC = expect.objectContaining({ code: 'ERR_MESH_INVALID_TOPIC', name: 'MeshError' });

describe('topicProblem / assertTopic', () => {
  it.each([
    ['a single level', 'orders'],
    ['a dotted hierarchy', 'com.shop.order.created'],
    ['digits, dashes, underscores and colons', 'v1.order-created_ok:x'],
    ['non-ASCII letters', 'café.überweisung.注文'],
    ['an emoji (a well-formed surrogate pair)', 'shop.\u{1F6D2}.added'],
    ['right-to-left letters', 'shop.\u05D4\u05D6\u05DE\u05E0\u05D4'],
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
    ['a zero-width space (U+200B, Cf)', 'com.shop\u200b.order'],
    ['a zero-width joiner (U+200D, Cf)', 'com.sh\u200dop'],
    ['a right-to-left override (U+202E, Cf)', 'com.shop.\u202eredro'],
    ['a left-to-right isolate (U+2066, Cf)', 'com.\u2066shop'],
    ['a soft hyphen (U+00AD, Cf)', 'com.sh\u00adop'],
    ['a word joiner (U+2060, Cf)', 'com.shop\u2060'],
    ['a tag character (U+E0041, Cf outside the BMP)', 'com.shop\u{E0041}'],
    ['a C1 control character (U+0080)', 'com.\u0080shop'],
    ['a lone high surrogate', 'com.shop\ud83d'],
    ['a lone low surrogate', '\ude00.shop'],
    ['a surrogate pair written backwards', 'com.\ude00\ud83d'],
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

describe('look-alike topics', () => {
  it('tells a topic with a hidden character from the one it looks like, naming the code point', () => {
    expect(topicProblem('com.shop.order')).toBeUndefined();
    const err = thrown(() => assertTopic('com.shop\u200b.order'));
    expect(err).toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC', details: { topic: 'com.shop\u200b.order' } });
    expect(topicProblem('com.shop\u200b.order')).toContain('U+200B');
    expect(topicProblem('a.\ud800')).toContain('U+D800');
  });

  it('is refused by emit, publish and subscribe of a real mesh', async () => {
    const mesh = createMesh();
    await mesh.start();
    try {
      expect(() => mesh.emit('orders.\u202ecreated', 1)).toThrow(INVALID_TOPIC);
      await expect(mesh.publish('orders\u200b.created', 1)).rejects.toMatchObject({ code: 'ERR_MESH_INVALID_TOPIC' });
      expect(() => mesh.subscribe('orders.\u200b#', () => {})).toThrow(expect.objectContaining({ code: 'ERR_MESH_INVALID_PATTERN' }));
    } finally {
      await mesh.close();
    }
  });
});
