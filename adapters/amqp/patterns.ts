import { MeshError, parsePattern } from '../../src/index.js';

/** AMQP 0-9-1 routing and binding keys are short strings: at most 255 bytes of UTF-8. */
export const MAX_KEY_BYTES = 255;

/**
 * A mesh pattern as a topic-exchange binding key. The grammars agree: words split on
 * `.`, `*` is exactly one word, `#` zero or more (so `a.#` binds `a` too), and mesh
 * levels cannot hold `.`, `*` or `#`, the only characters AMQP gives meaning to. What
 * does not carry over is length: a key longer than 255 bytes cannot be declared, so it
 * is refused here, before anything reaches the broker.
 */
export function bindingKey(pattern: string): string {
  const key = parsePattern(pattern).text;
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new MeshError('ERR_MESH_INVALID_PATTERN', `Pattern is longer than the ${MAX_KEY_BYTES} bytes an AMQP binding key holds`, {
      details: { pattern, limit: MAX_KEY_BYTES },
    });
  }
  return key;
}

/** An event type as a routing key: the type itself, within the same 255-byte limit. */
export function routingKey(type: string): string {
  // Byte length is at most 3 per UTF-16 unit: skip the count for the usual short topic.
  if (type.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(type, 'utf8') > MAX_KEY_BYTES) {
    throw new MeshError('ERR_MESH_INVALID_TOPIC', `Topic is longer than the ${MAX_KEY_BYTES} bytes an AMQP routing key holds`, {
      details: { topic: type, limit: MAX_KEY_BYTES },
    });
  }
  return type;
}

/** The durable queue of a durable name; refused when longer than a queue name may be. */
export function queueName(prefix: string, durable: string): string {
  const name = prefix + durable;
  if (Buffer.byteLength(name, 'utf8') > MAX_KEY_BYTES) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Queue name for durable ${JSON.stringify(durable)} is longer than ${MAX_KEY_BYTES} bytes`, {
      details: { durable },
    });
  }
  return name;
}
