import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/filter/dialects.js';
import { EventIds } from '../../../src/event/event-ids.js';
import { createEvent } from '../../../src/event/normalize.js';
import { expectThrowCode } from '../../support/expect-code.js';

const INVALID_FILTER = expect.objectContaining({ code: 'ERR_MESH_INVALID_FILTER', name: 'MeshError' });

const order = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shop/orders',
  type: 'com.shop.order.created',
  subject: 'order-42',
  region: 'eu-west',
  priority: 3,
  urgent: true,
  zero: 0,
};

describe('compileFilter on plain objects', () => {
  it.each([
    ['exact on type', { exact: { type: 'com.shop.order.created' } }, true],
    ['exact on a different type', { exact: { type: 'com.shop.order' } }, false],
    ['exact is case-sensitive', { exact: { type: 'COM.shop.order.created' } }, false],
    ['exact on two attributes that both match', { exact: { type: 'com.shop.order.created', source: '/shop/orders' } }, true],
    ['exact on two attributes, one differing', { exact: { type: 'com.shop.order.created', source: '/other' } }, false],
    ['prefix of type', { prefix: { type: 'com.shop.' } }, true],
    ['prefix equal to the whole value', { prefix: { subject: 'order-42' } }, true],
    ['prefix that is not one', { prefix: { type: 'shop' } }, false],
    ['suffix of type', { suffix: { type: '.created' } }, true],
    ['suffix that is not one', { suffix: { type: '.deleted' } }, false],
    ['exact on a string extension', { exact: { region: 'eu-west' } }, true],
    ['prefix on a string extension', { prefix: { region: 'us' } }, false],
    ['a numeric extension compared as a string', { exact: { priority: '3' } }, true],
    ['a numeric extension against another number', { exact: { priority: '4' } }, false],
    ['a numeric zero compared as a string', { exact: { zero: '0' } }, true],
    ['a boolean extension compared as a string', { exact: { urgent: 'true' } }, true],
    ['a boolean extension against "false"', { exact: { urgent: 'false' } }, false],
    ['exact on a missing attribute', { exact: { dataschema: 'x' } }, false],
    ['prefix on a missing attribute', { prefix: { traceparent: '0' } }, false],
    ['suffix on a missing attribute', { suffix: { traceparent: '1' } }, false],
    ['not of a missing attribute', { not: { exact: { traceparent: 'x' } } }, true],
    ['all where every filter matches', { all: [{ prefix: { type: 'com.' } }, { exact: { region: 'eu-west' } }] }, true],
    ['all where one filter fails', { all: [{ prefix: { type: 'com.' } }, { exact: { region: 'us' } }] }, false],
    ['any where one filter matches', { any: [{ exact: { region: 'us' } }, { suffix: { type: 'created' } }] }, true],
    ['any where no filter matches', { any: [{ exact: { region: 'us' } }, { suffix: { type: 'deleted' } }] }, false],
    ['not of a match', { not: { exact: { region: 'eu-west' } } }, false],
    ['not of a non-match', { not: { exact: { region: 'us' } } }, true],
    ['not not', { not: { not: { exact: { region: 'eu-west' } } } }, true],
    ['nested all/any/not', { all: [{ any: [{ exact: { region: 'us' } }, { prefix: { subject: 'order-' } }] }, { not: { suffix: { type: '.deleted' } } }] }, true],
  ])('%s → %s', (_name, filter, expected) => {
    expect(compileFilter(filter)(order)).toBe(expected);
  });

  it('treats a null attribute as missing', () => {
    expect(compileFilter({ prefix: { region: 'n' } })({ region: null })).toBe(false);
  });

  it('refuses an empty value (Subscriptions API: an empty prefix would match everything)', () => {
    for (const dialect of ['exact', 'prefix', 'suffix']) {
      expectThrowCode(() => compileFilter({ [dialect]: { type: '' } } as never), 'ERR_MESH_INVALID_FILTER');
    }
  });

  it('does not match an attribute whose value is an object', () => {
    expect(compileFilter({ exact: { region: '[object Object]' } })({ region: {} })).toBe(false);
  });
});

describe('compileFilter on mesh events', () => {
  const factory = { ids: new EventIds(), source: '/test' };
  const event = createEvent(factory, 'com.shop.order.created', { total: 5 }, {
    id: 'e-7', subject: 'order-7', time: '2024-05-01T10:00:00.000Z', region: 'eu', priority: 2, urgent: false,
  });

  it.each([
    ['exact on id', { exact: { id: 'e-7' } }, true],
    ['exact on the default source', { exact: { source: '/test' } }, true],
    ['exact on specversion', { exact: { specversion: '1.0' } }, true],
    ['prefix on time', { prefix: { time: '2024-05-01T' } }, true],
    ['exact on subject', { exact: { subject: 'order-7' } }, true],
    ['an extension', { exact: { region: 'eu' } }, true],
    ['a numeric extension as a string', { exact: { priority: '2' } }, true],
    ['a boolean extension as a string', { exact: { urgent: 'false' } }, true],
    ['an unset optional attribute', { exact: { datacontenttype: 'application/json' } }, false],
  ])('%s → %s', (_name, filter, expected) => {
    expect(compileFilter(filter)(event)).toBe(expected);
  });
});

function nested(depth: number): unknown {
  let filter: unknown = { exact: { type: 'a' } };
  for (let i = 0; i < depth; i++) filter = { not: filter };
  return filter;
}

describe('compileFilter validation', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'type = "a"'],
    ['a number', 1],
    ['an array', [{ exact: { type: 'a' } }]],
    ['an empty object', {}],
    ['two dialect keys', { exact: { type: 'a' }, prefix: { type: 'a' } }],
    ['an unknown dialect', { regex: { type: '.*' } }],
    ['a misspelled dialect', { Exact: { type: 'a' } }],
    ['an empty attribute map', { exact: {} }],
    ['an attribute map that is an array', { prefix: ['type'] }],
    ['an attribute map that is a string', { suffix: 'type' }],
    ['an attribute map that is null', { exact: null }],
    ['a numeric attribute value', { exact: { priority: 3 } }],
    ['a boolean attribute value', { exact: { urgent: true } }],
    ['a null attribute value', { exact: { type: null } }],
    ['an attribute name with upper case', { exact: { Type: 'a' } }],
    ['an attribute name with a dash', { exact: { 'trace-parent': 'a' } }],
    ['an empty attribute name', { exact: { '': 'a' } }],
    ['an attribute name with a dot', { prefix: { 'data.id': 'a' } }],
    ['all: []', { all: [] }],
    ['any: []', { any: [] }],
    ['all that is not an array', { all: { exact: { type: 'a' } } }],
    ['an invalid filter inside all', { all: [{ exact: { type: 'a' } }, { bogus: {} }] }],
    ['an invalid filter inside any', { any: [null] }],
    ['not of a non-object', { not: 'x' }],
    ['not of an invalid filter', { not: { exact: {} } }],
    ['nesting too deep', nested(40)],
  ])('rejects %s', (_name, filter) => {
    expect(() => compileFilter(filter)).toThrow(INVALID_FILTER);
  });

  it('accepts nesting up to the depth limit', () => {
    expect(compileFilter(nested(32))({ type: 'a' })).toBe(true);
    expect(() => compileFilter(nested(33))).toThrow(INVALID_FILTER);
  });

  it.each([
    ['at the top level', { sql: "type = 'com.shop.order.created" }],
    ['inside all', { all: [{ exact: { type: 'a' } }, { sql: 'true AND' }] }],
    ['that is not a string', { sql: 42 }],
  ])('rejects a CESQL expression that does not parse %s', (_name, filter) => {
    expect(() => compileFilter(filter)).toThrow(INVALID_FILTER);
  });
});
