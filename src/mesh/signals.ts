import { EventEmitter } from 'eventemitter3';
import type { MeshError } from '../errors.js';
import type { PeerInfo } from '../federation/peer-info.js';
import type { MeshLogger } from './options.js';

export type { PeerInfo } from '../federation/peer-info.js';

/** The mesh's own signals (not events: those are received with `subscribe`). */
export interface MeshSignals {
  error: [error: MeshError];
  /** A peer is linked and its table is in: every subscription it knew at link-up is known here (PROTOCOL §4.3). */
  'peer:up': [peer: PeerInfo];
  /** A peer's link closed (goodbye, silence, socket error); what it advertised is withdrawn. */
  'peer:down': [peer: PeerInfo];
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

  /** Emits a signal other than 'error'; a throwing listener is logged, never propagated. */
  emit<K extends Exclude<MeshSignal, 'error'>>(signal: K, ...args: MeshSignals[K]): void {
    for (const listener of this.emitter.listeners(signal)) {
      try {
        (listener as (...a: MeshSignals[K]) => void)(...args);
      } catch (err) {
        this.logger.error(`[evmesh] a '${signal}' listener threw`, err);
      }
    }
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
