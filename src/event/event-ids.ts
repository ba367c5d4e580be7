import { randomBytes } from 'node:crypto';

/**
 * Event ids unique across meshes and processes: a random per-mesh prefix plus a
 * counter. One string concatenation per event instead of `randomUUID()` (~90 ns).
 */
export class EventIds {
  private readonly prefix: string;
  private seq = 0;

  constructor() {
    this.prefix = `${randomBytes(9).toString('base64url')}-`;
  }

  next(): string {
    return this.prefix + ++this.seq;
  }
}
