import { EventEmitter } from 'eventemitter3';
import type { MeshError } from '../errors.js';
import type { PeerInfo } from '../federation/peer-info.js';
import type { Log } from '../util/log.js';
import { reportLevel } from './report-level.js';

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
 * listens to never throws: it is logged at error (or warn, `reportLevel`). One a
 * listener got is not logged at error again; the warn-level ones are logged anyway,
 * so the log tells of outages and refusals either way. A listener that throws is
 * logged too, so it cannot break the delivery that reported the error.
 */
export class Signals {
  private readonly emitter = new EventEmitter<MeshSignals>();

  constructor(private readonly log: Log) {}

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
        this.log.failure('error', `a '${signal}' listener threw`, err);
      }
    }
  }

  error(error: MeshError): void {
    const level = reportLevel(error.code);
    const heard = this.emitter.listenerCount('error') > 0;
    if (!heard || level === 'warn') this.log.failure(level, `${error.code}: ${error.message}`, error);
    if (!heard) return;
    // Each listener on its own: one that throws must not silence the others.
    for (const listener of this.emitter.listeners('error')) {
      try {
        listener(error);
      } catch (err) {
        this.log.failure('error', 'an error listener threw', err);
      }
    }
  }
}
