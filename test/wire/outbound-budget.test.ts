import { describe, expect, it } from 'vitest';
import { FrameEncoder, type WireFrame, type WritableLike } from '../../src/wire/index.js';
import { OutboundBudget } from '../../src/wire/outbound-budget.js';
import { expectThrowCode } from '../support/expect-code.js';

/** A writable that never drains: everything handed to it stays charged. */
class Stalled implements WritableLike {
  write(): boolean {
    return false;
  }

  once(): this {
    return this;
  }
}

const MiB = 1024 * 1024;
const frame = (size: number): WireFrame => ({ header: { cmd: 'ASYNC_MESSAGE_TO_SERVER', code: 0, properties: {} }, body: Buffer.alloc(size) });
const flushed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OutboundBudget shared by encoders', () => {
  it('drops the encoder holding the most bytes to make room, and refuses the sender when it holds the most', async () => {
    const budget = new OutboundBudget(4 * MiB);
    const shed: string[] = [];
    const slow: FrameEncoder = new FrameEncoder(new Stalled(), { budget, onShed: () => {
      shed.push('slow');
      slow.close();
    } });
    const fast: FrameEncoder = new FrameEncoder(new Stalled(), { budget, onShed: () => {
      shed.push('fast');
      fast.close();
    } });
    slow.send(frame(3 * MiB));
    await flushed(); // handed to a writable that did not drain: still charged
    fast.send(frame(512 * 1024));
    expect(budget.usedBytes).toBeGreaterThan(3.5 * MiB);
    fast.send(frame(1 * MiB)); // does not fit: the slow one goes
    expect(shed).toEqual(['slow']);
    expect(budget.usedBytes).toBeLessThan(2 * MiB);
    fast.send(frame(2 * MiB)); // the sender itself holds the most now: its frame is refused
    expectThrowCode(() => fast.send(frame(1 * MiB)), 'ERR_MESH_WIRE_BACKPRESSURE');
    expect(shed).toEqual(['slow']);
    fast.close();
    expect(budget.usedBytes).toBe(0);
  });
});
