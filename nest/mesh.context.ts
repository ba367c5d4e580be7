import { BaseRpcContext } from '@nestjs/microservices';
import type { DeliveryContext, MeshEvent } from '../src/index.js';

export type MeshContextArgs = [event: MeshEvent, delivery: DeliveryContext];

/** What a `MeshServer` handler gets with `@Ctx()`: the event and how it was delivered. */
export class MeshContext extends BaseRpcContext<MeshContextArgs> {
  /** The whole CloudEvent (`@Payload()` is its `data`). */
  getEvent<T = unknown>(): MeshEvent<T> {
    return this.args[0] as MeshEvent<T>;
  }

  /** The event's topic: its `type`. */
  getTopic(): string {
    return this.args[0].type;
  }

  /** The handler's pattern that matched (wildcards as written). */
  getPattern(): string {
    return this.args[1].pattern;
  }

  /** 1 on the first delivery, 2, 3… on retries. */
  getAttempt(): number {
    return this.args[1].attempt;
  }

  getDelivery(): DeliveryContext {
    return this.args[1];
  }
}
