import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { holdUntilReleased } from '../../nest/startup-gate.js';
import { closedAfterEach } from '../support/meshes.js';

const createMesh = closedAfterEach();

describe('the startup gate', () => {
  it('holds published events until released, then routes them in publish order', () => {
    const mesh = createMesh();
    const release = holdUntilReleased(mesh);
    mesh.emit('com.boot.one', 1);
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e) => void seen.push(e.data));
    mesh.emit('com.boot.two', 2);
    expect(seen).toEqual([]);
    release();
    expect(seen).toEqual([1, 2]);
  });

  it('keeps what it holds when the app adds a use chain meanwhile, and that chain sees the held events', () => {
    const mesh = createMesh();
    const release = holdUntilReleased(mesh);
    mesh.emit('com.boot.one', 1);
    mesh.use((events$) => events$.pipe(filter((e) => e.data !== 2), map((e) => ({ ...e.toJSON(), data: (e.data as number) * 10 }))));
    mesh.emit('com.boot.two', 2);
    mesh.emit('com.boot.three', 3);
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e: MeshEvent) => void seen.push(e.data));
    release();
    expect(seen).toEqual([10, 30]);
  });

  it('removes itself once released: later events are delivered synchronously, and release is idempotent', async () => {
    const mesh = createMesh();
    const release = holdUntilReleased(mesh);
    release();
    release();
    const seen: unknown[] = [];
    mesh.subscribe('com.after', (e) => void seen.push(e.data));
    mesh.emit('com.after', 1);
    expect(seen).toEqual([1]);
    await expect(mesh.publish('com.after', 2)).resolves.toMatchObject({ data: 2 });
    expect(seen).toEqual([1, 2]);
  });
});
