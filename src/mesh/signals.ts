import { EventEmitter } from 'eventemitter3';
import type { MeshError } from '../errors.js';
import type { MeshLogger } from './options.js';

/** The mesh's own signals (not events: those are received with `subscribe`). */
export interface MeshSignals {
  error: [error: MeshError];
}

export type MeshSignal = keyof MeshSignals;

/**
 * Emits the mesh's signals. Unlike Node's EventEmitter, an `'error'` nobody
 * listens to never throws: it is logged. A listener that throws is logged too, so
 * it cannot break the delivery that reported the error.
 */
export class Signals {
  private readonly emitter = new EventEmitter<MeshSignals>();

  constructor(private readonly logger: MeshLogger) {}

  on<K extends MeshSignal>(signal: K, listener: (...args: MeshSignals[K]) => void): void {
    this.emitter.on(signal, listener as never);
  }

  off<K extends MeshSignal>(signal: K, listener: (...args: MeshSignals[K]) => void): void {
    this.emitter.off(signal, listener as never);
  }

  error(error: MeshError): void {
    if (this.emitter.listenerCount('error') === 0) {
      this.logger.error(`[evmesh] ${error.code}: ${error.message}`, error);
      return;
    }
    // Each listener on its own: one that throws must not silence the others.
    for (const listener of this.emitter.listeners('error')) {
      try {
        listener(error);
      } catch (err) {
        this.logger.error('[evmesh] an error listener threw', err);
      }
    }
  }
}
