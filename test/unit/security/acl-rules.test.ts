import { describe, expect, it } from 'vitest';
import { createMesh } from '../../../src/index.js';
import { expectThrowCode } from '../../support/expect-code.js';

describe('createMesh({ acl }) validation', () => {
  it.each([
    ['not an object', 'everyone'],
    ['an array', [{ publish: ['#'] }]],
    ['an entry that is no object', { billing: true }],
    ['an unknown key', { billing: { pub: ['#'] } }],
    ['patterns that are no array', { billing: { publish: 'orders.#' } }],
    ['a malformed pattern', { billing: { subscribe: ['orders.>'] } }],
    ['an empty pattern', { '*': { publish: [''] } }],
  ])('refuses %s with ERR_MESH_INVALID_OPTIONS', (_name, acl) => {
    expectThrowCode(() => createMesh({ acl: acl as never }), 'ERR_MESH_INVALID_OPTIONS');
  });

  it('takes identities with publish and subscribe patterns, and a * entry', () => {
    expect(() => createMesh({ acl: { billing: { publish: ['com.shop.invoice.#'], subscribe: ['com.shop.order.*'] }, '*': {} } })).not.toThrow();
  });
});
