import { describe, expect, it } from 'vitest';
import { MeshError, createMesh, type MeshError as MeshErrorType } from '../../../src/index.js';
import { hooksOf } from '../../../src/mesh/mesh.js';
import { expectRejectCode, until } from '../../support/expect-code.js';

describe('onReport and onRequestDone', () => {
  it('onReport sees every reported error; one that throws is reported once, not in a loop', async () => {
    const mesh = createMesh();
    const errors: MeshErrorType[] = [];
    mesh.on('error', (e) => void errors.push(e));
    const seen: string[] = [];
    hooksOf(mesh).add('onReport', (e) => {
      seen.push(e.code);
      if (e.code === 'ERR_MESH_HANDLER_FAILED') throw new Error('hook bug');
    });
    mesh.subscribe('a.b', () => {
      throw new MeshError('ERR_MESH_INVALID_EVENT', 'x');
    });
    mesh.emit('a.b', 1);
    // The handler failure reached the hook (which threw), then the hook's failure reached 'error' without re-entering it.
    expect(seen).toEqual(['ERR_MESH_HANDLER_FAILED']);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_HOOK_FAILED', 'ERR_MESH_HANDLER_FAILED']);
    await mesh.close();
  });

  it('onRequestDone tells how each request ended, with its type', async () => {
    const mesh = createMesh();
    const done: string[] = [];
    hooksOf(mesh).add('onRequestDone', (outcome, type) => void done.push(`${outcome} ${type}`));
    mesh.subscribe('q.ok', () => 1);
    await mesh.request('q.ok');
    await expectRejectCode(mesh.request('q.none'), 'ERR_MESH_NO_RESPONDER');
    await until(() => done.length === 2);
    expect(done).toEqual(['ok q.ok', 'no_responder q.none']);
    await mesh.close();
  });
});
