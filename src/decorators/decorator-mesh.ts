import type { EventHandler, SubscribeOptions, Subscription } from '../delivery/subscription.js';

/** What `register` and `@Publish` need of a mesh: a `Mesh` is one. */
export interface DecoratorMesh {
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  emit(topic: string, data: unknown): unknown;
  publish(topic: string, data: unknown): Promise<unknown>;
}
