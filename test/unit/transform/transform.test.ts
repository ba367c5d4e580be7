import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../../src/index.js';
import { compileJsonPath, NOT_FOUND, readPath } from '../../../src/transform/json-path.js';
import { compileTemplate } from '../../../src/transform/template.js';
import { compileTransform } from '../../../src/transform/transform.js';
import { expectThrowCode, thrown, until } from '../../support/expect-code.js';
import { closedAfterEach } from '../../support/meshes.js';

const tracked = closedAfterEach();

describe('JSONPath subset', () => {
  it('compiles members, quoted members and indexes', () => {
    expect(compileJsonPath('$.data.order.id')).toEqual(['data', 'order', 'id']);
    expect(compileJsonPath("$['data'][\"a b\"][2].x")).toEqual(['data', 'a b', 2, 'x']);
    expect(compileJsonPath("$['it\\'s']")).toEqual(["it's"]);
    expect(compileJsonPath('$')).toEqual([]);
  });

  it('refuses what could select several values or run anything', () => {
    for (const path of ['data.x', '$.*', '$..id', '$[0:2]', '$[?(@.x)]', '$.a[', '$ .a', '$.a.']) {
      expectThrowCode(() => compileJsonPath(path), 'ERR_MESH_INVALID_OPTIONS');
    }
  });

  it('reads one value, or says it found nothing', () => {
    const doc = { a: { b: [10, { c: 'x' }] }, n: null };
    expect(readPath(doc, ['a', 'b', 1, 'c'])).toBe('x');
    expect(readPath(doc, ['n'])).toBeNull();
    expect(readPath(doc, ['a', 'z'])).toBe(NOT_FOUND);
    expect(readPath(doc, ['a', 'b', 5])).toBe(NOT_FOUND);
    expect(readPath(doc, ['a', 'b', 'length'])).toBe(NOT_FOUND);
    expect(readPath(doc, ['a', 'toString'])).toBe(NOT_FOUND);
  });
});

describe('templates', () => {
  it('JSON: a placeholder in a string is escaped into it, one outside is inserted as JSON', () => {
    const t = compileTemplate('{"order":"${id}","total":${total},"who":"${name} <x>"}');
    expect(t.json).toBe(true);
    expect(t.render(new Map<string, unknown>([['id', 7], ['total', { v: 1.5 }], ['name', 'a "quoted" \\ name']])))
      .toEqual({ order: '7', total: { v: 1.5 }, who: 'a "quoted" \\ name <x>' });
  });

  it('text: values as they are (strings) or as JSON', () => {
    const t = compileTemplate('order ${id} for ${who}');
    expect(t.json).toBe(false);
    expect(t.render(new Map<string, unknown>([['id', 7], ['who', { n: 'x' }]]))).toBe('order 7 for {"n":"x"}');
  });

  it('a template that looks like JSON but is not is refused at compile time', () => {
    expectThrowCode(() => compileTemplate('{"order": ${id'), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => compileTemplate('{order: "${id}"}'), 'ERR_MESH_INVALID_OPTIONS');
  });
});

describe('subscribe({ transform })', () => {
  it('the handler sees the new data with the event\'s attributes kept (the seed: a webhook body reshaped for its target)', async () => {
    const mesh = tracked();
    const seen: MeshEvent[] = [];
    mesh.subscribe('com.github.push', (e) => void seen.push(e), {
      transform: {
        extract: { repo: '$.data.repository.full_name', sha: '$.data.head_commit.id', by: '$.data.pusher.name', subject: '$.subject' },
        template: '{"text":"${by} pushed ${sha} to ${repo}","ref":"${subject}"}',
      },
    });
    const sent = mesh.emit('com.github.push', {
      repository: { full_name: 'shop/orders' }, head_commit: { id: 'abc123' }, pusher: { name: 'ana' }, extra: [1, 2, 3],
    }, { subject: 'refs/heads/main', traceid: 't-1' });
    await until(() => seen.length === 1);
    const got = seen[0] as MeshEvent;
    expect(got.data).toEqual({ text: 'ana pushed abc123 to shop/orders', ref: 'refs/heads/main' });
    expect([got.id, got.type, got.source, got.subject, got.time, got['traceid'], got.datacontenttype])
      .toEqual([sent.id, sent.type, sent.source, sent.subject, sent.time, 't-1', 'application/json']);
    // The published event itself is untouched: other subscribers see it as sent.
    expect(sent.data).toMatchObject({ extra: [1, 2, 3] });
  });

  it('an event where a path finds nothing fails that delivery: retried, then dead-lettered', async () => {
    const mesh = tracked();
    const errors: string[] = [];
    mesh.on('error', (e) => void errors.push(`${e.code}:${String((e.cause as { code?: string } | undefined)?.code)}`));
    const ok: unknown[] = [];
    const dead: MeshEvent[] = [];
    mesh.subscribe('dlq', (e) => void dead.push(e));
    mesh.subscribe('orders', (e) => void ok.push(e.data), {
      transform: { extract: { id: '$.data.order.id' }, template: 'order ${id}' }, retry: { attempts: 2, backoff: 1 }, deadLetter: 'dlq',
    });
    mesh.emit('orders', { order: { id: 1 } });
    mesh.emit('orders', { nothing: true });
    await until(() => dead.length === 1);
    expect(ok).toEqual(['order 1']);
    expect(errors).toEqual(['ERR_MESH_HANDLER_FAILED:ERR_MESH_TRANSFORM_FAILED', 'ERR_MESH_HANDLER_FAILED:ERR_MESH_TRANSFORM_FAILED']);
    expect(dead[0]?.data).toEqual({ nothing: true });
  });

  it('bad transforms throw at subscribe, naming what is wrong', () => {
    const mesh = tracked();
    const bad = [
      { template: '${x}' },
      { extract: { id: '$.a[*]' }, template: '${id}' },
      { extract: { 'not a name': '$.a' }, template: '' },
      { extract: { id: '$.a' }, template: '{"a": ${id}' },
      'nope',
    ];
    for (const transform of bad) expectThrowCode(() => mesh.subscribe('a.b', () => undefined, { transform: transform as never }), 'ERR_MESH_INVALID_OPTIONS');
    expect(String((thrown(() => compileTransform({ template: '${x}' })) as Error).message)).toContain('${x}');
  });
});
