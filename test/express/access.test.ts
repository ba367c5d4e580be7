import { describe, expect, it } from 'vitest';
import { TopicPolicy, covers } from '../../express/access.js';
import { decodeHeaderValue, encodeHeaderValue, mediaType } from '../../express/http-binding.js';
import { expectThrowCode } from '../support/expect-code.js';

const levels = (p: string): string[] => p.split('.');

describe('covers (is every topic of a stream pattern allowed?)', () => {
  it.each([
    ['#', 'a.b.c', true],
    ['#', '#', true],
    ['a.#', 'a', true],
    ['a.#', 'a.*.c', true],
    ['a.#', 'a.#', true],
    ['a.#', 'a.b.#', true],
    ['a.*', 'a.b', true],
    ['a.*', 'a.*', true],
    ['*.b', 'x.b', true],
    ['#.c', 'a.b.c', true],
    ['#.c', '*.c', true],
    ['a.#.c', 'a.x.y.c', true],
    ['a.#.c', 'a.c', true],
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.*', 'a.#', false],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['a.b', 'a.*', false],
    ['a.#', '#', false],
    ['a.#', 'b.#', false],
    ['#.c', '#', false],
    ['a.#.c', 'a.#', false],
    // Conservative: exact containment would say yes, the level walk says no.
    ['*.#', '#.x', false],
  ])('%s covers %s: %s', (allowed, wanted, expected) => {
    expect(covers(levels(allowed), levels(wanted))).toBe(expected);
  });

  it('judges a longest stream pattern against an allowed pattern with several # without retrying the same step', () => {
    // The client picks the stream pattern (up to 1024 characters): the walk must not be
    // exponential in the allowed pattern's `#` levels (this took minutes without memo).
    const wanted = `${'a.'.repeat(510)}y`;
    expect(wanted.length).toBeLessThanOrEqual(1024);
    expect(covers(levels('#.a.#.a.#.a.#.x'), levels(wanted))).toBe(false);
    expect(covers(levels('#.a.#.a.#.a.#.y'), levels(wanted))).toBe(true);
  });

  it('checks topics and patterns against any of the allowed patterns', () => {
    const policy = new TopicPolicy(['com.shop.#', 'com.news.*']);
    expect(policy.allowsTopic('com.shop')).toBe(true);
    expect(policy.allowsTopic('com.news.today')).toBe(true);
    expect(policy.allowsTopic('com.news.today.late')).toBe(false);
    expect(policy.allowsPattern('com.shop.*.created')).toBe(true);
    expect(policy.allowsPattern('com.*')).toBe(false);
  });

  it('refuses a malformed allowed pattern when the policy is built', () => {
    expectThrowCode(() => new TopicPolicy(['com..x']), 'ERR_MESH_INVALID_PATTERN');
  });
});

describe('HTTP binding header values (§3.1.3.2)', () => {
  it.each([
    ['plain', 'plain'],
    ['order 1', 'order%201'],
    ['100%', '100%25'],
    ['say "hi"', 'say%20%22hi%22'],
    ['ä€', '%C3%A4%E2%82%AC'],
    ['tab\there', 'tab%09here'],
  ])('encodes %j as %j and decodes it back', (value, encoded) => {
    expect(encodeHeaderValue(value)).toBe(encoded);
    expect(decodeHeaderValue(encoded)).toBe(value);
  });

  it('keeps a malformed escape as it was sent', () => {
    expect(decodeHeaderValue('100%zz')).toBe('100%zz');
  });

  it('splits media types into essence and charset', () => {
    expect(mediaType('Application/CloudEvents+JSON; charset="UTF-8"')).toEqual({ essence: 'application/cloudevents+json', charset: 'utf-8' });
    expect(mediaType('text/plain')).toEqual({ essence: 'text/plain', charset: undefined });
    expect(mediaType('  ')).toBeUndefined();
  });
});
