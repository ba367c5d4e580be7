import { describe, expect, it } from 'vitest';
import { MESH_ERROR_CODES, MeshError, type MeshErrorCode, toMeshError } from '../../src/errors.js';

const CODES = Object.keys(MESH_ERROR_CODES) as MeshErrorCode[];
const BRAND = Symbol.for('evmesh.MeshError');

describe('MeshError', () => {
  it('is an Error named MeshError carrying its code', () => {
    const err = new MeshError('ERR_MESH_CLOSED', 'closed');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(MeshError);
    expect(err.name).toBe('MeshError');
    expect(err.code).toBe('ERR_MESH_CLOSED');
    expect(typeof err.stack).toBe('string');
  });

  it.each(CODES)('takes retryable for %s from the code table', (code) => {
    expect(new MeshError(code, 'x').retryable).toBe(MESH_ERROR_CODES[code].retryable);
  });

  it('has both retryable and non-retryable codes in its table', () => {
    expect(new MeshError('ERR_MESH_TIMEOUT', 'x').retryable).toBe(true);
    expect(new MeshError('ERR_MESH_INVALID_TOPIC', 'x').retryable).toBe(false);
  });

  it('keeps the cause and the details it was given', () => {
    const cause = new TypeError('boom');
    const details = { subscription: 's1', attempt: 3 };
    const err = new MeshError('ERR_MESH_HANDLER_FAILED', 'failed', { cause, details });
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual(details);
  });

  it('keeps a cause that is not an Error', () => {
    expect(new MeshError('ERR_MESH_STORE_FAILED', 'x', { cause: 'ECONNRESET' }).cause).toBe('ECONNRESET');
  });

  it('has no cause and no details when none were given', () => {
    const err = new MeshError('ERR_MESH_CLOSED', 'closed');
    expect('cause' in err).toBe(false);
    expect(err.details).toBeUndefined();
  });

  it.each(CODES)('uses the ERR_MESH_ prefix and documents %s with a summary', (code) => {
    expect(code).toMatch(/^ERR_MESH_[A-Z_]+$/);
    expect(MESH_ERROR_CODES[code].summary.length).toBeGreaterThan(0);
  });
});

describe('instanceof MeshError across copies of the class', () => {
  it('holds for an error made by another copy of the class carrying the brand', () => {
    // What a second build (CJS next to ESM) or a second installed copy looks like:
    // an unrelated class whose instances carry the same global-symbol brand.
    class OtherCopyMeshError extends Error {
      readonly code = 'ERR_MESH_CLOSED';
      get [BRAND](): true {
        return true;
      }
    }
    const foreign: unknown = new OtherCopyMeshError('closed');
    expect(Object.getPrototypeOf(foreign)).not.toBe(MeshError.prototype);
    expect(foreign instanceof MeshError).toBe(true);
  });

  it('holds for a plain object carrying the brand', () => {
    expect({ [BRAND]: true } instanceof MeshError).toBe(true);
  });

  it('holds for an object inheriting from a MeshError', () => {
    expect(Object.create(new MeshError('ERR_MESH_CLOSED', 'x')) instanceof MeshError).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['an object with a code but no brand', { code: 'ERR_MESH_CLOSED', name: 'MeshError' }],
    ['an object whose brand is not exactly true', { [BRAND]: 'true' }],
    ['an object branded with a local (non-global) symbol', { [Symbol('evmesh.MeshError')]: true }],
    ['null', null],
    ['a string', 'MeshError'],
  ])('does not hold for %s', (_name, value: unknown) => {
    expect(value instanceof MeshError).toBe(false);
  });
});

describe('toMeshError', () => {
  it('wraps a foreign Error, keeping it as cause and its message', () => {
    const foreign = new RangeError('out of range');
    const err = toMeshError('ERR_MESH_HANDLER_FAILED', foreign, { subscription: 's1' });
    expect(err).toBeInstanceOf(MeshError);
    expect(err.code).toBe('ERR_MESH_HANDLER_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(foreign);
    expect(err.message).toBe(foreign.message);
    expect(err.details).toEqual({ subscription: 's1' });
  });

  it.each([
    ['a string', 'plain failure'],
    ['a number', 42],
    ['an object', { reason: 'x' }],
    ['undefined', undefined],
  ])('wraps a thrown %s, keeping it as cause', (_name, thrown: unknown) => {
    const err = toMeshError('ERR_MESH_PIPELINE_FAILED', thrown);
    expect(err).toBeInstanceOf(MeshError);
    expect(err.code).toBe('ERR_MESH_PIPELINE_FAILED');
    expect(err.retryable).toBe(false);
    expect(err.cause).toBe(thrown);
  });
});
