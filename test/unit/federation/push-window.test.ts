import { afterEach, describe, expect, it, vi } from 'vitest';
import { MeshEvent } from '../../../src/event/mesh-event.js';
import { PushWindow, type Push } from '../../../src/federation/stock/push-window.js';

afterEach(() => void vi.useRealTimers());

const options = { redeliverAfter: 1000, maxUnacked: 2, maxQueued: 10 };
const event = (id: string): MeshEvent => new MeshEvent(id, 'com.x', '/src', null, 0);

describe('a stock session push window (PROTOCOL §8.3)', () => {
  it('arms no redelivery for a push whose send ended the window (the connection closed under it)', () => {
    vi.useFakeTimers();
    const left: Push[] = [];
    const window: PushWindow = new PushWindow(options, () => void left.push(...window.close()));
    window.push(event('a'), 'ASYNC_MESSAGE_TO_CLIENT', Buffer.from('{}'));
    expect(left.map((p) => p.event.id)).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
