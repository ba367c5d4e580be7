/**
 * One adapter per library for the wildcard suite. Each adapter owns its publish loop, so
 * the timed code calls the library directly with no shared indirection per publish that
 * would blur differences at the ~100 ns scale.
 */
import { createRequire } from 'node:module';
import EventEmitter2Module from 'eventemitter2';
import mqemitter from 'mqemitter';
import { loadKernel } from './evmesh.js';
import { DATA, plainEvent, SOURCE } from './fixtures.js';
import { ee2Semantics, toAmqp, toEe2, toMqtt, type Levels } from './workload.js';

export type Handler = (event: unknown) => void;

/** A library with the workload's subscriptions in it, ready to be published to. */
export interface Bound {
  /** Returns whatever the library hands back, so the caller can keep it alive. */
  subscribe(pattern: string, handler: Handler): unknown;
  /**
   * Builds the timed loop: `n` publishes, cycling over the topics from where it left
   * off. Called before anything subscribes, so events minted here are delivered nowhere
   * and are already on the heap when the subscriptions' memory is measured.
   */
  publisher(topics: readonly Levels[]): (n: number) => void;
  close?(): void | Promise<void>;
}

export interface WildcardLib {
  name: string;
  syntax(levels: Levels): string;
  /** Rewrites a pattern to what the library really matches, where that differs (EE2). */
  semantics?(levels: Levels): Levels;
  create(): Promise<Bound>;
}

/** qlobber ships no type declarations; this is the slice of its API the benchmark uses. */
interface QlobberLike {
  add(topic: string, value: Handler): unknown;
  match(topic: string): Handler[];
}
// eventemitter2 is CommonJS: at runtime its default export is the class itself, which also
// carries itself as `.EventEmitter2`, the one spelling both TypeScript and Node agree on.
const { EventEmitter2 } = EventEmitter2Module;

type QlobberCtor = new (opts?: Record<string, string>) => QlobberLike;
const { Qlobber } = createRequire(import.meta.url)('qlobber') as { Qlobber: QlobberCtor };

function qlobber(name: string, syntax: (l: Levels) => string, opts?: Record<string, string>): WildcardLib {
  return {
    name,
    syntax,
    async create() {
      const q = new Qlobber(opts);
      return {
        subscribe: (p, h) => q.add(p, h),
        publisher(topics) {
          const names = topics.map(syntax);
          const events = topics.map((t, i) => plainEvent(toAmqp(t), i));
          const count = topics.length;
          let i = 0;
          return (n) => {
            for (let k = 0; k < n; k++) {
              const j = i;
              if (++i === count) i = 0;
              const hs = q.match(names[j]!);
              const ev = events[j];
              for (let h = 0; h < hs.length; h++) hs[h]!(ev);
            }
          };
        },
      };
    },
  };
}

const mq: WildcardLib = {
  name: 'mqemitter',
  syntax: toMqtt,
  async create() {
    const m = mqemitter();
    return {
      // mqemitter listeners must call done(); this wrapper is part of what it costs to use.
      subscribe: (p, h) => m.on(p, (msg, done) => {
        h(msg);
        done();
      }),
      publisher(topics) {
        const msgs = topics.map((t, i) => ({ ...plainEvent(toAmqp(t), i), topic: toMqtt(t) }));
        const count = topics.length;
        let i = 0;
        return (n) => {
          for (let k = 0; k < n; k++) {
            m.emit(msgs[i]!);
            if (++i === count) i = 0;
          }
        };
      },
      close: () => new Promise<void>((resolve) => m.close(() => resolve())),
    };
  },
};

const ee2: WildcardLib = {
  name: 'eventemitter2',
  syntax: toEe2,
  semantics: ee2Semantics,
  async create() {
    // maxListeners 0 = unlimited; otherwise 100k identical patterns would print leak warnings.
    const ee = new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 0 });
    return {
      subscribe: (p, h) => ee.on(p, h),
      publisher(topics) {
        const names = topics.map(toAmqp);
        const events = topics.map((t, i) => plainEvent(toAmqp(t), i));
        const count = topics.length;
        let i = 0;
        return (n) => {
          for (let k = 0; k < n; k++) {
            ee.emit(names[i]!, events[i]);
            if (++i === count) i = 0;
          }
        };
      },
    };
  },
};

function evmesh(name: string, matchCacheSize?: number): WildcardLib {
  return {
    name,
    syntax: toAmqp,
    async create() {
      const { createMesh } = await loadKernel();
      const mesh = matchCacheSize === undefined
        ? createMesh({ source: SOURCE })
        : createMesh({ source: SOURCE, matchCacheSize });
      return {
        subscribe: (p, h) => mesh.subscribe(p, h),
        publisher(topics) {
          // Minted by the kernel itself: re-emitting an event you hold is what is measured.
          const events = topics.map((t) => mesh.emit(toAmqp(t), DATA));
          const count = topics.length;
          let i = 0;
          return (n) => {
            for (let k = 0; k < n; k++) {
              mesh.emit(events[i]!);
              if (++i === count) i = 0;
            }
          };
        },
        close: () => mesh.close(),
      };
    },
  };
}

export const WILDCARD_LIBS: readonly WildcardLib[] = [
  qlobber('qlobber-amqp', toAmqp, { separator: '.', wildcard_one: '*', wildcard_some: '#' }),
  qlobber('qlobber-mqtt', toMqtt, { separator: '/', wildcard_one: '+', wildcard_some: '#' }),
  mq,
  ee2,
  evmesh('evmesh'),
  evmesh('evmesh-nocache', 0),
];
