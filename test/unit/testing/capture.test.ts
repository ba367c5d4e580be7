import { describe, expect, it } from 'vitest';
import { captureEvents } from '../../../src/testing/index.js';
import { closedAfterEach } from '../../support/meshes.js';

const mesh = closedAfterEach();

describe('captureEvents', () => {
  it('records matching events and resolves waitFor once enough arrived', async () => {
    const m = mesh();
    const captured = captureEvents(m, 'o.*');
    setTimeout(() => {
      m.emit('o.created', 1);
      m.emit('x.created', 2);
      m.emit('o.paid', 3);
    }, 1);
    const events = await captured.waitFor(2);
    expect(events.map((e) => e.data)).toEqual([1, 3]);
  });

  it('rejects waitFor after its timeout, saying how many arrived', async () => {
    const m = mesh();
    const captured = captureEvents(m, 'o.*');
    m.emit('o.created');
    await expect(captured.waitFor(2, 20)).rejects.toThrow(/got 1/);
  });

  it('stops recording after stop()', async () => {
    const m = mesh();
    const captured = captureEvents(m, 'o.*');
    await captured.stop();
    m.emit('o.created');
    expect(captured.events).toEqual([]);
  });
});
