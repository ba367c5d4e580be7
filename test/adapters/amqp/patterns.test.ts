import { describe, expect, it } from 'vitest';
import { bindingKey, queueName, routingKey, MAX_KEY_BYTES } from '../../../adapters/amqp/index.js';
import { patternMatcher } from '../../../src/index.js';
import { expectThrowCode } from '../../support/expect-code.js';
import { mulberry32 } from '../../support/prng.js';

/** RabbitMQ topic-exchange matching: words on `.`, `*` one word, `#` zero or more. */
function amqpMatches(binding: string, key: string): boolean {
  const b = binding.split('.');
  const k = key.split('.');
  const at = (i: number, j: number): boolean => {
    if (i === b.length) return j === k.length;
    if (b[i] === '#') {
      for (let n = j; n <= k.length; n++) if (at(i + 1, n)) return true;
      return false;
    }
    return j < k.length && (b[i] === '*' || b[i] === k[j]) && at(i + 1, j + 1);
  };
  return at(0, 0);
}

const TABLE: [pattern: string, key: string][] = [
  ['com.shop.order.created', 'com.shop.order.created'],
  ['com.*.order', 'com.*.order'],
  ['com.shop.#', 'com.shop.#'],
  ['#', '#'],
  ['a.#.#.b', 'a.#.b'],
  ['a.#.*', 'a.#.*'],
  // Characters RabbitMQ gives no meaning to pass through as they are.
  ['a.b>.$x.%', 'a.b>.$x.%'],
  ['ü.*', 'ü.*'],
];

describe('bindingKey (mesh pattern → AMQP topic binding key)', () => {
  for (const [pattern, key] of TABLE) {
    it(`maps ${pattern}`, () => expect(bindingKey(pattern)).toBe(key));
  }

  it('binds the same topics the mesh matches, on random patterns and topics', () => {
    const rnd = mulberry32(7);
    const words = ['a', 'b', 'c'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      const pattern = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick([...words, '*', '#'])).join('.');
      const key = bindingKey(pattern);
      const mesh = patternMatcher(pattern);
      for (let k = 0; k < 40; k++) {
        const topic = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(words)).join('.');
        expect(amqpMatches(key, routingKey(topic)), `${pattern} vs ${topic}`).toBe(mesh(topic));
        checked++;
      }
    }
    expect(checked).toBe(12_000);
  });

  it('refuses what the mesh refuses, and keys longer than 255 bytes (ERR_MESH_INVALID_PATTERN)', () => {
    expectThrowCode(() => bindingKey('a..b'), 'ERR_MESH_INVALID_PATTERN');
    expectThrowCode(() => bindingKey(`a.${'x'.repeat(MAX_KEY_BYTES)}`), 'ERR_MESH_INVALID_PATTERN');
    // 128 two-byte characters: under 255 characters, over 255 bytes.
    expectThrowCode(() => bindingKey('é'.repeat(128)), 'ERR_MESH_INVALID_PATTERN');
    expect(bindingKey('é'.repeat(127))).toBe('é'.repeat(127));
  });
});

describe('routingKey and queueName', () => {
  it('routes a topic under its own name, refusing one over 255 bytes with ERR_MESH_INVALID_TOPIC', () => {
    expect(routingKey('com.shop.order.created')).toBe('com.shop.order.created');
    expect(routingKey('x'.repeat(255))).toBe('x'.repeat(255));
    expectThrowCode(() => routingKey('x'.repeat(256)), 'ERR_MESH_INVALID_TOPIC');
    expectThrowCode(() => routingKey('€'.repeat(86)), 'ERR_MESH_INVALID_TOPIC');
  });

  it('names the queue after the durable, refusing a name too long for AMQP', () => {
    expect(queueName('evmesh.', 'billing')).toBe('evmesh.billing');
    expectThrowCode(() => queueName('evmesh.', 'd'.repeat(250)), 'ERR_MESH_INVALID_OPTIONS');
  });
});
