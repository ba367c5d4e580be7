import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/index.js';
import { Log, isStructuredLogger, type MeshLogger } from '../../../src/util/log.js';
import { capturedPino } from '../../support/pino-capture.js';

/** A console-style logger recording `[level, message, detail]`. */
function recorder(levels: readonly ('debug' | 'info' | 'warn' | 'error')[] = ['debug', 'info', 'warn', 'error']): { logger: MeshLogger; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const logger = Object.fromEntries(levels.map((level) => [level, (message: string, detail?: unknown) => void calls.push([level, message, detail])]));
  return { logger: logger as unknown as MeshLogger, calls };
}

describe('Log over a console-style logger', () => {
  it('calls (message, fields) with the base fields merged, from warn up by default', () => {
    const { logger, calls } = recorder();
    const log = new Log(logger, undefined, { node: 'a' });
    log.debug('d', { x: 1 });
    log.info('i', { x: 2 });
    log.warn('w', { x: 3 });
    log.error('e');
    expect(calls).toEqual([['warn', '[evmesh] w', { node: 'a', x: 3 }], ['error', '[evmesh] e', { node: 'a' }]]);
  });

  it('passes an error itself as the detail of a failure line', () => {
    const { logger, calls } = recorder();
    const error = new MeshError('ERR_MESH_STORE_UNAVAILABLE', 'gone');
    new Log(logger, 'debug').failure('warn', 'store lost', error);
    expect(calls).toEqual([['warn', '[evmesh] store lost', error]]);
  });

  it('filters by logLevel and skips the levels the logger lacks', () => {
    const { logger, calls } = recorder(['error', 'info']);
    const log = new Log(logger, 'info');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(calls.map((c) => c[1])).toEqual(['[evmesh] i', '[evmesh] e']);
    const silent = recorder();
    new Log(silent.logger, 'silent').error('e');
    expect(silent.calls).toEqual([]);
  });

  it('builds nothing for a line below the level', () => {
    let read = 0;
    const fields = {
      get costly(): number {
        read++;
        return 1;
      },
    };
    const { logger, calls } = recorder();
    new Log(logger, 'warn').info('i', fields);
    expect([read, calls.length]).toEqual([0, 0]);
    new Log(logger, 'info').info('i', fields);
    expect([read, calls.length]).toEqual([1, 1]);
  });

  it('survives a logger that throws', () => {
    const boom = (): never => {
      throw new Error('disk full');
    };
    const log = new Log({ error: boom, warn: boom, info: boom, debug: boom }, 'debug');
    expect(() => {
      log.info('i', { x: 1 });
      log.failure('error', 'e', new Error('x'));
    }).not.toThrow();
  });
});

describe('Log over pino, passed as is', () => {
  it('is recognised as structured; console, a plain object and a winston-like logger are not', () => {
    expect(isStructuredLogger(capturedPino().logger)).toBe(true);
    expect(isStructuredLogger({ error: () => undefined, child: () => undefined, levels: () => [30] })).toBe(true); // bunyan's shape
    expect(isStructuredLogger(console)).toBe(false);
    expect(isStructuredLogger({ error: () => undefined })).toBe(false);
    expect(isStructuredLogger({ error: () => undefined, child: () => undefined, levels: { error: 0, warn: 1 } })).toBe(false); // winston's shape
  });

  it('merges the fields into the JSON line, and an error as err with its code', () => {
    const { logger, lines } = capturedPino();
    const log = new Log(logger, undefined, { node: 'a' });
    log.info('peer link up', { peer: 'b', address: '127.0.0.1:1' });
    log.failure('warn', 'store lost', new MeshError('ERR_MESH_STORE_UNAVAILABLE', 'gone'));
    expect(lines).toMatchObject([
      { level: 30, msg: 'peer link up', node: 'a', peer: 'b', address: '127.0.0.1:1' },
      { level: 40, msg: 'store lost', node: 'a', code: 'ERR_MESH_STORE_UNAVAILABLE', err: { message: 'gone', code: 'ERR_MESH_STORE_UNAVAILABLE' } },
    ]);
  });

  it('lets pino\'s own level decide, even when it changes at run time; logLevel drops more', () => {
    const { logger, lines } = capturedPino('info');
    const log = new Log(logger, undefined);
    expect(log.enabled('debug')).toBe(false);
    log.debug('hidden');
    logger.level = 'debug';
    log.debug('shown');
    new Log(logger, 'warn').info('filtered');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });
});
