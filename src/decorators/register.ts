import type { Subscription } from '../delivery/subscription.js';
import type { DecoratorMesh } from './decorator-mesh.js';
import { getOnEventMetadata, MESH_OF_INSTANCE } from './metadata.js';

/** Method names along the prototype chain, nearest definition first (like Nest's MetadataScanner). */
export function methodNames(instance: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** Binds `@Publish` methods to `mesh` and subscribes every `@OnEvent` method. All or nothing. */
export function registerInstance(mesh: DecoratorMesh, instance: object): Subscription[] {
  Object.defineProperty(instance, MESH_OF_INSTANCE, { value: mesh, configurable: true, enumerable: false, writable: true });
  const subs: Subscription[] = [];
  try {
    for (const name of methodNames(instance)) {
      const method = (instance as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      for (const { pattern, options } of getOnEventMetadata(method)) {
        subs.push(mesh.subscribe(pattern, (event, ctx) => method.call(instance, event, ctx), options));
      }
    }
  } catch (err) {
    for (const sub of subs) void sub.unsubscribe();
    delete (instance as Record<symbol, unknown>)[MESH_OF_INSTANCE];
    throw err;
  }
  return subs;
}
