import { MeshError } from '../errors.js';
import { assertTopic } from '../topic/topic.js';
import type { DecoratorMesh } from './decorator-mesh.js';
import { isThenable } from '../delivery/scheduler.js';
import { isStandardContext } from './decorator-kind.js';
import { copyMetadata, MESH_OF_INSTANCE, PUBLISH_METADATA } from './metadata.js';
import { outboxHookOf } from './outbox-hook.js';

type Method = (this: object, ...args: unknown[]) => unknown;

/** Usable as a legacy (`experimentalDecorators`) or a standard method decorator. */
export interface PublishDecorator {
  <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
  <F extends (...args: never[]) => unknown>(value: F, context: ClassMethodDecoratorContext): F | void;
}

/** `@Publish(topic, options)`. */
export interface PublishOptions {
  /**
   * Publish through the mesh's transactional outbox (`outbox(mesh)` from
   * evmesh/adapters/postgres), in the caller's database transaction: `true` takes the
   * executor of the active `outbox(mesh).transaction(executor, fn)`; `{ executorArg: i }`
   * takes the method's argument `i`. The method always returns a promise, resolved once
   * the row is inserted; with no executor it rejects ERR_MESH_INVALID_OPTIONS before running.
   */
  readonly outbox?: boolean | { readonly executorArg: number };
}

/**
 * Publishes a method's return value as the data of a `topic` event, on the mesh
 * the instance was registered with. An async method's promise resolves once the
 * event is accepted; a sync method publishes with `emit` and stays sync.
 * `undefined` (nothing to say) is not published.
 */
export function Publish(topic: string, options?: PublishOptions): PublishDecorator {
  assertTopic(topic);
  const executorArg = outboxArg(topic, options);
  return function publish(target: object, key?: unknown, descriptor?: PropertyDescriptor): PropertyDescriptor | Method | void {
    const standard = isStandardContext(key);
    const original = (standard ? target : descriptor?.value) as unknown;
    if (typeof original !== 'function') throw new MeshError('ERR_MESH_INVALID_OPTIONS', '@Publish decorates methods only');
    const wrapped = executorArg === undefined ? wrap(original as Method, topic) : wrapOutbox(original as Method, topic, executorArg);
    copyMetadata(original, wrapped);
    Reflect.defineMetadata(PUBLISH_METADATA, { topic }, wrapped);
    if (standard) return wrapped;
    return { ...descriptor, value: wrapped };
  } as PublishDecorator;
}

function wrap(original: Method, topic: string): Method {
  const isAsync = original.constructor.name === 'AsyncFunction';
  const wrapped = function (this: object, ...args: unknown[]): unknown {
    let mesh: DecoratorMesh;
    try {
      mesh = meshOf(this, topic);
    } catch (err) {
      // An async method reports through its promise, as callers expect.
      if (isAsync) return Promise.reject(err);
      throw err;
    }
    const result = original.apply(this, args);
    if (!isThenable(result)) {
      if (result !== undefined) mesh.emit(topic, result);
      return result;
    }
    return Promise.resolve(result).then(async (value) => {
      if (value !== undefined) await mesh.publish(topic, value);
      return value;
    });
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  return wrapped;
}

/** Where an outbox method's executor comes from: an argument's index, -1 for the context, undefined when not through the outbox. */
function outboxArg(topic: string, options: PublishOptions | undefined): number | undefined {
  const outbox = options?.outbox;
  if (outbox === undefined || outbox === false) return undefined;
  if (outbox === true) return -1;
  const index = (outbox as { executorArg?: unknown } | null)?.executorArg;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `@Publish('${topic}'): outbox is true or { executorArg: <argument index> }`, { details: { topic } });
  }
  return index;
}

/** The outbox form: the executor is found before the method runs, the event inserted after it resolved. */
function wrapOutbox(original: Method, topic: string, executorArg: number): Method {
  const wrapped = function (this: object, ...args: unknown[]): Promise<unknown> {
    try {
      const hook = outboxHookOf(meshOf(this, topic), topic);
      const executor = hook.executor(executorArg < 0 ? undefined : args[executorArg]);
      return Promise.resolve(original.apply(this, args)).then(async (value) => {
        if (value !== undefined) await hook.publish(executor, topic, value);
        return value;
      });
    } catch (err) {
      return Promise.reject(err);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  return wrapped;
}

function meshOf(instance: object, topic: string): DecoratorMesh {
  const mesh = (instance as Record<symbol, DecoratorMesh | undefined>)[MESH_OF_INSTANCE];
  if (mesh === undefined) {
    throw new MeshError('ERR_MESH_NOT_REGISTERED', `@Publish('${topic}') called on an instance no mesh registered`, {
      details: { topic },
    });
  }
  return mesh;
}
