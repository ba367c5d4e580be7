import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/index.js';
import { gateOf, installGate } from '../../nest/startup-gate.js';
import { closedAfterEach } from '../support/meshes.js';

const createMesh = closedAfterEach();

describe('the startup gate', () => {
  it('holds published events until released, then routes them in publish order', () => {
    const mesh = createMesh();
    const release = installGate(mesh).hold('module');
    mesh.emit('com.boot.one', 1);
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e) => void seen.push(e.data));
    mesh.emit('com.boot.two', 2);
    expect(seen).toEqual([]);
    release();
    expect(seen).toEqual([1, 2]);
  });

  it('opens only once every holder released, and each release counts once', () => {
    const mesh = createMesh();
    const gate = installGate(mesh);
    const module = gate.hold('module');
    const server = gate.hold('server');
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e) => void seen.push(e.data));
    mesh.emit('com.boot.one', 1);
    module();
    module();
    expect(seen).toEqual([]);
    expect(gateOf(mesh)).toBe(gate);
    server();
    expect(seen).toEqual([1]);
    expect(gateOf(mesh)).toBeUndefined();
    // A hold taken after the gate opened holds nothing.
    gate.hold('late');
    mesh.emit('com.boot.two', 2);
    expect(seen).toEqual([1, 2]);
  });

  it('force() opens the gate and names the holders that had not released', () => {
    const mesh = createMesh();
    const gate = installGate(mesh);
    const module = gate.hold('MeshModule');
    gate.hold('MeshServer');
    module();
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e) => void seen.push(e.data));
    mesh.emit('com.boot.one', 1);
    expect(gate.force()).toEqual(['MeshServer']);
    expect(seen).toEqual([1]);
  });

  it('keeps what it holds when the app adds a use chain meanwhile, and that chain sees the held events', () => {
    const mesh = createMesh();
    const release = installGate(mesh).hold('module');
    mesh.emit('com.boot.one', 1);
    mesh.use((events$) => events$.pipe(filter((e) => e.data !== 2), map((e) => ({ ...e.toJSON(), data: (e.data as number) * 10 }))));
    mesh.emit('com.boot.two', 2);
    mesh.emit('com.boot.three', 3);
    const seen: unknown[] = [];
    mesh.subscribe('com.boot.*', (e: MeshEvent) => void seen.push(e.data));
    release();
    expect(seen).toEqual([10, 30]);
  });

  it('removes itself once open: later events are delivered synchronously', async () => {
    const mesh = createMesh();
    installGate(mesh).hold('module')();
    const seen: unknown[] = [];
    mesh.subscribe('com.after', (e) => void seen.push(e.data));
    mesh.emit('com.after', 1);
    expect(seen).toEqual([1]);
    await expect(mesh.publish('com.after', 2)).resolves.toMatchObject({ data: 2 });
    expect(seen).toEqual([1, 2]);
  });
});
