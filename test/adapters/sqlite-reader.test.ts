import { describe, expect, it } from 'vitest';
import { createMesh, type MeshEvent } from '../../src/index.js';
import { DurableReader, type LogSource } from '../../adapters/sqlite/durable-reader.js';
import { deferred, until } from '../support/expect-code.js';

/** An in-memory log with the reader's view of the table, counting the queries made. */
function log(): LogSource & { events: MeshEvent[]; reads: number; saved: number[] } {
  const mesh = createMesh({ source: '/reader' });
  const events: MeshEvent[] = [];
  const src = {
    events, reads: 0, saved: [] as number[],
    read(after: number, limit: number) {
      src.reads++;
      return events.slice(after, after + limit).map((event, i) => ({ seq: after + i + 1, event }));
    },
    lastSeq: () => events.length,
    countAfter: (after: number) => Math.max(0, events.length - after),
    save: (p: number) => void src.saved.push(p),
    add(n: number) {
      for (let i = 0; i < n; i++) events.push(mesh.emit('r.e', events.length + 1));
    },
  };
  return src;
}


describe('sqlite DurableReader', () => {
  it('stops querying a log it read to the end until woken, then delivers what was appended', async () => {
    const src = log() as ReturnType<typeof log> & { add(n: number): void };
    const got: unknown[] = [];
    const reader = new DurableReader(src, 0, (err) => { throw err; });
    reader.attach((e) => {
      got.push(e.data);
      return Promise.resolve();
    }, 16);
    src.add(100);
    reader.wake();
    await until(() => got.length === 100);
    // 64 + 36 rows: the short read marks the end; the 100 acknowledgements after it
    // each pump, and none of them queries again.
    expect(src.reads).toBe(2);
    src.add(5);
    reader.pump();
    await new Promise((r) => setImmediate(r));
    expect(got.length).toBe(100);
    expect(src.reads).toBe(2);
    reader.wake();
    await until(() => got.length === 105);
    expect(got).toEqual(Array.from({ length: 105 }, (_, i) => i + 1));
    reader.close();
    expect(src.saved.at(-1)).toBe(105);
  });

  it('redelivers a refused entry after the end was reached, and the position waits for it', async () => {
    const src = log() as ReturnType<typeof log> & { add(n: number): void };
    let refuse = true;
    const got: unknown[] = [];
    const reader = new DurableReader(src, 0, (err) => { throw err; });
    reader.attach((e) => {
      if (e.data === 2 && refuse) {
        refuse = false;
        return Promise.reject(new Error('not now'));
      }
      got.push(e.data);
      return Promise.resolve();
    }, 4);
    src.add(3);
    reader.wake();
    await until(() => got.length === 3);
    expect(got).toEqual([1, 3, 2]);
    reader.close();
    expect(src.saved.at(-1)).toBe(3);
  });

  it('counts as backlog every event not acknowledged: unread rows, rows read and not handed out, handed back, in flight', async () => {
    const src = log() as ReturnType<typeof log> & { add(n: number): void };
    const hold = deferred();
    let refusals = 0;
    let handled = 0;
    const reader = new DurableReader(src, 0, (err) => { throw err; });
    reader.attach(async (e) => {
      // Refused three times: the event goes back to the reader each time, and still counts.
      if (e.data === 1 && refusals < 3) {
        refusals++;
        throw new Error('not now');
      }
      await hold.promise;
      handled++;
    }, 16);
    src.add(100);
    expect(reader.backlog()).toBe(100);
    reader.wake();
    // 64 rows read: 16 in flight (or the refused one handed back), 48 in the buffer; 36 unread.
    expect(reader.backlog()).toBe(100);
    await until(() => refusals === 3);
    expect(reader.backlog()).toBe(100);
    hold.resolve();
    await until(() => handled === 100);
    expect(reader.backlog()).toBe(0);
    src.add(3);
    expect(reader.backlog()).toBe(3);
    reader.close();
  });
});
