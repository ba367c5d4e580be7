import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../../src/index.js';
import { HOOK_NAMES, type HookName } from '../../../src/hooks/hook-list.js';
import { Hooks } from '../../../src/hooks/hooks.js';
import { MeshEvent } from '../../../src/internal.js';
import { expectThrowCode, thrown } from '../../support/expect-code.js';

const event = new MeshEvent('e1', 'a.b', '/test', 1, 0);
const party = { kind: 'peer', identity: 'n1', remoteAddress: undefined } as const;

function hooks(): { hooks: Hooks; errors: MeshError[]; watched: number[] } {
  const errors: MeshError[] = [];
  const watched: number[] = [];
  return { hooks: new Hooks((e) => void errors.push(e), () => void watched.push(1)), errors, watched };
}

describe('the hook list', () => {
  it('is closed: a name outside it is refused with ERR_MESH_INVALID_OPTIONS', () => {
    const { hooks: h } = hooks();
    expectThrowCode(() => h.add('onWhatever' as HookName, () => undefined), 'ERR_MESH_INVALID_OPTIONS');
    expectThrowCode(() => h.add('onPublish', 42 as never), 'ERR_MESH_INVALID_OPTIONS');
    expect(HOOK_NAMES).toEqual(['onPublish', 'onDeliver', 'wrapDelivery', 'onSettle', 'onLinkUp', 'onLinkDown', 'onRemoteFrame', 'onRemoteEvent', 'onRemoteSubscribe', 'onRemoteSend', 'onRequestDone', 'onReport']);
  });

  it('keeps every hook undefined until one is registered, and again once all are removed', () => {
    const { hooks: h } = hooks();
    for (const name of HOOK_NAMES) expect(h[name]).toBeUndefined();
    const remove = h.add('onPublish', () => undefined);
    expect(h.onPublish).toHaveLength(1);
    remove();
    expect(h.onPublish).toBeUndefined();
  });

  it('says once when delivery hooks start being watched', () => {
    const { hooks: h, watched } = hooks();
    h.add('onPublish', () => undefined);
    expect(watched).toHaveLength(0);
    h.add('onSettle', () => undefined);
    h.add('onDeliver', () => undefined);
    expect(watched).toHaveLength(1);
    expect(h.watchesDeliveries).toBe(true);
  });

  it('watches deliveries once a wrapDelivery hook alone is registered', () => {
    const { hooks: h, watched } = hooks();
    h.add('wrapDelivery', (_e, _s, _a, run) => run());
    expect(watched).toHaveLength(1);
    expect(h.watchesDeliveries).toBe(true);
  });
});

describe('the delivery wrappers', () => {
  const sub = { name: 's', pattern: 'a.*', group: undefined, durable: undefined, servesClient: false };

  it('compose, the first registered outermost, around one run of the handler', () => {
    const { hooks: h } = hooks();
    const seen: string[] = [];
    h.add('wrapDelivery', (_e, _s, attempt, run) => {
      seen.push(`outer in #${attempt}`);
      const value = run();
      seen.push('outer out');
      return value;
    });
    h.add('wrapDelivery', (_e, _s, _a, run) => {
      seen.push('inner in');
      try {
        return run();
      } finally {
        seen.push('inner out');
      }
    });
    expect(h.wrap(event, sub, 2, () => (seen.push('handler'), 42))).toBe(42);
    expect(seen).toEqual(['outer in #2', 'inner in', 'handler', 'inner out', 'outer out']);
  });

  it('pass the handler\'s error through, and cannot change its result or swallow its error', () => {
    const { hooks: h, errors } = hooks();
    h.add('wrapDelivery', (_e, _s, _a, run) => {
      try {
        run();
      } catch {
        return 'swallowed';
      }
      return 'changed';
    });
    const boom = new Error('handler');
    expect(thrown(() => h.wrap(event, sub, 1, () => {
      throw boom;
    }))).toBe(boom);
    expect(h.wrap(event, sub, 1, () => 'mine')).toBe('mine');
    expect(errors).toHaveLength(0);
  });

  it('a wrapper that throws on its own or never runs the handler is reported, and the handler runs once anyway', () => {
    const { hooks: h, errors } = hooks();
    let runs = 0;
    const removeThrowing = h.add('wrapDelivery', () => {
      throw new Error('wrapper bug');
    });
    expect(h.wrap(event, sub, 1, () => ++runs)).toBe(1);
    removeThrowing();
    const removeLazy = h.add('wrapDelivery', () => 'forgot to run');
    expect(h.wrap(event, sub, 1, () => ++runs)).toBe(2);
    removeLazy();
    h.add('wrapDelivery', (_e, _s, _a, run) => {
      run();
      return run();
    });
    expect(h.wrap(event, sub, 1, () => ++runs)).toBe(3);
    expect(errors.map((e) => [e.code, e.details?.['hook']])).toEqual([['ERR_MESH_HOOK_FAILED', 'wrapDelivery'], ['ERR_MESH_HOOK_FAILED', 'wrapDelivery']]);
  });
});

describe('the hook runner', () => {
  it('runs every hook of a name in order, and a hook that throws is reported without stopping the others', () => {
    const { hooks: h, errors } = hooks();
    const seen: string[] = [];
    h.add('onPublish', (e) => void seen.push(`first ${e.id}`));
    h.add('onPublish', () => {
      throw new Error('boom');
    });
    h.add('onPublish', (e) => void seen.push(`third ${e.id}`));
    h.run('onPublish', event);
    expect(seen).toEqual(['first e1', 'third e1']);
    expect(errors.map((e) => [e.code, e.details?.['hook']])).toEqual([['ERR_MESH_HOOK_FAILED', 'onPublish']]);
  });

  it('lets an inbound check refuse with false, and treats a check that throws as a refusal', () => {
    const { hooks: h, errors } = hooks();
    expect(h.allows('onRemoteEvent', event, party)).toBe(true);
    let verdict: boolean | undefined = undefined;
    h.add('onRemoteEvent', () => verdict);
    expect(h.allows('onRemoteEvent', event, party)).toBe(true);
    verdict = false;
    expect(h.allows('onRemoteEvent', event, party)).toBe(false);
    verdict = true;
    h.add('onRemoteEvent', () => {
      throw new Error('cannot decide');
    });
    expect(h.allows('onRemoteEvent', event, party)).toBe(false);
    expect(errors.map((e) => e.code)).toEqual(['ERR_MESH_HOOK_FAILED']);
  });

  it('removes only the hook its remover was returned for, once', () => {
    const { hooks: h } = hooks();
    const seen: number[] = [];
    const a = (): void => void seen.push(1);
    const removeA = h.add('onPublish', a);
    h.add('onPublish', () => void seen.push(2));
    removeA();
    removeA();
    h.run('onPublish', event);
    expect(seen).toEqual([2]);
  });
});
