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

/**
 * Waits until `condition` holds, polling every `interval` ms (1 by default: each turn of
 * the event loop), failing after `timeout` ms. An async condition (a probe over HTTP, a
 * broker query, a request that may find no responder yet) is awaited before the next poll.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeout = 2000, interval = 1): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const held = condition();
    if (held === true || (held !== false && (await held))) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, interval));
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

/** The error `fn` throws; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}
