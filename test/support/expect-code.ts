import { expect } from 'vitest';
import type { MeshErrorCode } from '../../src/index.js';

/** Asserts that `fn` throws a MeshError with `code` (fails if nothing is thrown). */
export function expectThrowCode(fn: () => unknown, code: MeshErrorCode): void {
  expect(fn).toThrow(expect.objectContaining({ name: 'MeshError', code }));
}

/** Asserts that `promise` rejects with a MeshError with `code`. */
export async function expectRejectCode(promise: Promise<unknown>, code: MeshErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'MeshError', code });
}

/** Waits until `condition` holds (polling each tick), failing after `timeout` ms. */
export async function until(condition: () => boolean, timeout = 2000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A promise with its resolve function exposed, to hold an async handler open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
