import { MeshError } from '../errors.js';
import { BATCH_CLOSE_BYTES, BATCH_COUNT_SIZE, BATCH_ENTRY_PREFIX } from './bodies/event-batch.js';
import { DEFAULT_MAX_FRAME, FIXED_PREFIX_SIZE, LENGTH_FIELDS_SIZE, PREFIX_LENGTH } from './constants.js';
import { checkMaxFrame, frameTotal, writePrefix, type WireFrame } from './frame.js';
import { headerJson, type WireHeader } from './header.js';
import type { BudgetMember, OutboundBudget } from './outbound-budget.js';

/** The part of a `net.Socket` the encoder uses, so tests can pass a fake. */
export interface WritableLike {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  /** Where present (net.Socket), several chunks of one flush go out as one writev. */
  cork?(): void;
  uncork?(): void;
}

export interface FrameEncoderOptions {
  /**
   * Largest total frame sent; larger ones throw `ERR_MESH_WIRE_FRAME_TOO_LARGE`.
   * @default 4194304 (4 MiB, what a Java peer accepts)
   */
  readonly maxFrame?: number;
  /**
   * Bytes that may wait for the peer. Past it, `send` throws
   * `ERR_MESH_WIRE_BACKPRESSURE` instead of growing memory without bound.
   * @default 8388608 (8 MiB)
   */
  readonly maxQueuedBytes?: number;
  /** A bound shared with other connections' encoders (OutboundBudget); none by default. */
  readonly budget?: OutboundBudget;
  /** Called when the budget drops this connection to make room for another's frame. */
  readonly onShed?: () => void;
}

export interface FrameEncoderStats {
  /** Frames handed to the writable. */
  readonly frames: number;
  /** Bytes handed to the writable. */
  readonly bytes: number;
  /** `write` calls; below `frames` when frames were coalesced. */
  readonly writes: number;
  /** Times `write` returned false and the encoder waited for `'drain'`. */
  readonly drainWaits: number;
  /** Frames refused by `send` because the queue was full. */
  readonly refused: number;
  /** Of `frames`, the batch frames (PROTOCOL §5.6), each counted once. */
  readonly batches: number;
  /** Events those batch frames carried: events sent = `frames - batches + batched`. */
  readonly batched: number;
  readonly queuedBytes: number;
}

export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Frames are written into chunks of this size (or one frame's size, if larger). */
const CHUNK_SIZE = 64 * 1024;
/** The first chunk after `trim` found the connection quiet: room for a few small frames (heartbeats). */
const QUIET_CHUNK_SIZE = 1024;
/** Bytes between two `trim` calls under which a connection counts as quiet. */
const QUIET_BYTES = 4 * 1024;

/**
 * Writes frames to one connection. Frames sent in the same tick go out as one
 * `write` (flushed in a microtask); when `write` returns false nothing more is
 * written until `'drain'`, and the bytes waiting meanwhile are bounded. The bytes
 * the writable itself holds are bounded by its high-water mark plus one flush.
 *
 * Frames are encoded straight into a shared chunk and handed over as views of it;
 * later frames go after them in the same chunk, so no byte handed over is written
 * again and nothing is allocated or copied per frame. A header object sent twice in
 * a row (the same object: headers are immutable) is encoded once.
 */
export class FrameEncoder implements BudgetMember {
  private readonly maxFrame: number;
  private readonly budget: OutboundBudget | undefined;
  private readonly onShed: (() => void) | undefined;
  /** With a budget: bytes handed to the writable while it had not drained, still charged. */
  private undrained = 0;
  private readonly maxQueuedBytes: number;
  /** Views of full chunks not yet handed over, oldest first. */
  private sealed: Buffer[] = [];
  private chunk: Buffer | undefined;
  /** Bytes [start, used) of `chunk` are encoded and not yet handed over. */
  private start = 0;
  private used = 0;
  private queued = 0;
  private queuedFrames = 0;
  private lastHeader: WireHeader | undefined;
  private lastHeaderBytes: Buffer | undefined;
  private flushScheduled = false;
  private waitingDrain = false;
  private closed = false;
  private frameCount = 0;
  private byteCount = 0;
  private writeCount = 0;
  private drainCount = 0;
  private refusedCount = 0;
  private batchCount = 0;
  private batchedCount = 0;
  /**
   * The batch frame still open for more events (PROTOCOL §5.6): its header object, where it
   * starts in `chunk`, where its count is, and how many events it holds. Open only while it
   * is the last thing in the chunk and not handed over; anything else closes it.
   */
  private batchHeader: WireHeader | undefined;
  private batchAt = 0;
  private batchCountAt = 0;
  private batchEvents = 0;
  private queuedBatches = 0;
  private queuedBatched = 0;
  /** Size of the next chunk (at least one frame's); small only right after a quiet `trim`. */
  private chunkSize = CHUNK_SIZE;
  private bytesAtTrim = 0;
  private readonly flush = (): void => this.flushQueue();
  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.releaseUndrained();
    this.flushQueue();
  };

  constructor(private readonly out: WritableLike, options: FrameEncoderOptions = {}) {
    this.maxFrame = checkMaxFrame(options.maxFrame ?? DEFAULT_MAX_FRAME);
    const maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!Number.isInteger(maxQueued) || maxQueued < this.maxFrame) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'maxQueuedBytes must be an integer of at least maxFrame');
    }
    this.maxQueuedBytes = maxQueued;
    this.budget = options.budget;
    this.onShed = options.onShed;
    this.budget?.join(this);
  }

  get heldBytes(): number {
    return this.queued + this.undrained;
  }

  shed(): void {
    this.onShed?.();
  }

  /** Encoded bytes waiting to be handed to the writable. */
  get queuedBytes(): number {
    return this.queued;
  }

  get stats(): FrameEncoderStats {
    return {
      frames: this.frameCount, bytes: this.byteCount, writes: this.writeCount,
      drainWaits: this.drainCount, refused: this.refusedCount, queuedBytes: this.queued,
      batches: this.batchCount, batched: this.batchedCount,
    };
  }

  /**
   * Queues one frame (its bytes are copied before this returns). Throws (nothing
   * queued) `ERR_MESH_WIRE_BACKPRESSURE` when the peer is too slow,
   * `ERR_MESH_WIRE_FRAME_TOO_LARGE` or a header/command error for a bad frame, and
   * `ERR_MESH_CLOSED` after `close()`.
   */
  send(frame: WireFrame): void {
    if (this.closed) throw new MeshError('ERR_MESH_CLOSED', 'the connection is closed');
    const header = this.headerBytes(frame.header);
    const total = frameTotal(frame, header.length, this.maxFrame);
    this.reserve(frame.header, total);
    this.batchHeader = undefined; // later events go after this frame, never into the batch before it
    let chunk = this.chunk;
    if (chunk === undefined || chunk.length - this.used < total) chunk = this.newChunk(total);
    const at = this.used;
    writePrefix(chunk, at, total, header.length);
    chunk.set(header, at + FIXED_PREFIX_SIZE);
    if (frame.body !== undefined) chunk.set(frame.body, at + FIXED_PREFIX_SIZE + header.length);
    this.used = at + total;
    this.queued += total;
    this.queuedFrames++;
    this.scheduleFlush();
  }

  /**
   * Queues one event into a batch frame (PROTOCOL §5.6) with `header` (a batch header: the
   * caller's, immutable): appended to the open batch when that has the same header object,
   * fewer than `maxEvents` events, under 64 KiB and room in the chunk; else a new batch
   * frame is opened. The event's JSON is written straight into the chunk (a string is never
   * made a Buffer first). Throws as `send` does, nothing queued.
   */
  sendBatched(header: WireHeader, event: string | Buffer, maxEvents: number): void {
    if (this.closed) throw new MeshError('ERR_MESH_CLOSED', 'the connection is closed');
    const chunk = this.chunk;
    const start = this.used;
    if (header !== this.batchHeader || chunk === undefined || this.batchEvents >= maxEvents || start - this.batchAt >= BATCH_CLOSE_BYTES) {
      return this.openBatch(header, event, byteLengthOf(event));
    }
    const at = start + BATCH_ENTRY_PREFIX;
    const length = writeEntry(chunk, at, Math.min(chunk.length, this.batchAt + this.maxFrame) - at, event);
    if (length < 0) return this.openBatch(header, event, byteLengthOf(event));
    const entry = BATCH_ENTRY_PREFIX + length;
    this.reserve(header, entry);
    if (this.chunk !== chunk || this.used !== start || this.batchHeader !== header) {
      // Reserving shed another link, whose close sent a frame here: what was written is stale.
      this.budget?.release(entry);
      return this.sendBatched(header, event, maxEvents);
    }
    chunk.writeUInt32BE(length, start);
    this.used = start + entry;
    this.queued += entry;
    // The frame's length and count, patched in place: none of it was handed over yet.
    chunk.writeInt32BE(this.used - this.batchAt - LENGTH_FIELDS_SIZE, this.batchAt + PREFIX_LENGTH);
    chunk.writeUInt32BE(++this.batchEvents, this.batchCountAt);
    this.queuedBatched++;
  }

  /** Starts a batch frame holding one event. */
  private openBatch(header: WireHeader, event: string | Buffer, length: number): void {
    const headerBytes = this.headerBytes(header);
    const bodyLength = BATCH_COUNT_SIZE + BATCH_ENTRY_PREFIX + length;
    // The body is not a Buffer yet: its bytes are counted with the header's.
    const total = frameTotal({ header, body: undefined }, headerBytes.length + bodyLength, this.maxFrame);
    this.reserve(header, total);
    let chunk = this.chunk;
    if (chunk === undefined || chunk.length - this.used < total) chunk = this.newChunk(total);
    const at = this.used;
    writePrefix(chunk, at, total, headerBytes.length);
    chunk.set(headerBytes, at + FIXED_PREFIX_SIZE);
    const countAt = at + FIXED_PREFIX_SIZE + headerBytes.length;
    chunk.writeUInt32BE(1, countAt);
    chunk.writeUInt32BE(length, countAt + BATCH_COUNT_SIZE);
    const eventAt = countAt + BATCH_COUNT_SIZE + BATCH_ENTRY_PREFIX;
    if (typeof event === 'string') chunk.write(event, eventAt, length, 'utf8');
    else chunk.set(event, eventAt);
    this.used = at + total;
    this.queued += total;
    this.queuedFrames++;
    this.queuedBatches++;
    this.queuedBatched++;
    this.batchHeader = header;
    this.batchAt = at;
    this.batchCountAt = countAt;
    this.batchEvents = 1;
    this.scheduleFlush();
  }

  /** Checks the queue bound and charges the budget for `bytes` more, or throws (nothing charged). */
  private reserve(header: WireHeader, bytes: number): void {
    if (this.queued + bytes > this.maxQueuedBytes) {
      this.refusedCount++;
      throw new MeshError('ERR_MESH_WIRE_BACKPRESSURE', 'the peer is not reading fast enough', {
        details: { cmd: header.cmd, queuedBytes: this.queued, limit: this.maxQueuedBytes },
      });
    }
    if (this.budget !== undefined) this.charge(header, bytes, this.budget);
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled && !this.waitingDrain) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Hands everything queued to the writable now, e.g. a last answer before closing. */
  flushNow(): void {
    this.waitingDrain = false;
    this.flushQueue();
  }

  /**
   * Call now and then (each heartbeat): if fewer than 4 KiB were sent since the last call and
   * nothing is queued, the chunk is let go and the next one starts at 1 KiB, so a quiet
   * connection holds ~1 KiB instead of 64 KiB (a hub with 1,000 quiet peers: 1 MiB, not 64).
   * A chunk that fills is followed by a full-size one.
   */
  trim(): void {
    const total = this.byteCount + this.queued;
    const sent = total - this.bytesAtTrim;
    this.bytesAtTrim = total;
    if (sent >= QUIET_BYTES || this.queued > 0) return;
    this.batchHeader = undefined;
    this.chunk = undefined;
    this.start = this.used = 0;
    this.chunkSize = QUIET_CHUNK_SIZE;
  }

  /** Drops what is queued (the connection is gone); later `send`s throw. Returns the bytes dropped. */
  close(): number {
    const dropped = this.queued;
    if (this.budget !== undefined && !this.closed) {
      this.budget.release(dropped);
      this.releaseUndrained();
      this.budget.leave(this);
    }
    this.closed = true;
    this.batchHeader = undefined;
    this.sealed = [];
    this.chunk = undefined;
    this.start = this.used = this.queued = this.queuedFrames = this.queuedBatches = this.queuedBatched = 0;
    return dropped;
  }

  /** Charges the shared budget for a frame, or throws (nothing charged). */
  private charge(header: WireHeader, total: number, budget: OutboundBudget): void {
    if (!budget.reserve(total, this)) {
      this.refusedCount++;
      throw new MeshError('ERR_MESH_WIRE_BACKPRESSURE', 'the outbound bytes of all connections are at their bound, and this peer holds the most', {
        details: { cmd: header.cmd, queuedBytes: this.queued, limit: budget.limit, global: true },
      });
    }
    // Shedding another link may have closed this one (a frame sent to it on the way failed).
    if (this.closed) {
      budget.release(total);
      throw new MeshError('ERR_MESH_CLOSED', 'the connection is closed');
    }
  }

  private releaseUndrained(): void {
    if (this.undrained === 0) return;
    this.budget?.release(this.undrained);
    this.undrained = 0;
  }

  private headerBytes(header: WireHeader): Buffer {
    if (header === this.lastHeader) return this.lastHeaderBytes as Buffer;
    const bytes = Buffer.from(headerJson(header), 'utf8');
    this.lastHeader = header;
    this.lastHeaderBytes = bytes;
    return bytes;
  }

  /** Seals what the current chunk holds and starts a chunk with room for `size` bytes. */
  private newChunk(size: number): Buffer {
    this.batchHeader = undefined;
    if (this.chunk !== undefined && this.used > this.start) this.sealed.push(this.chunk.subarray(this.start, this.used));
    const chunk = Buffer.allocUnsafe(Math.max(this.chunkSize, size));
    this.chunkSize = CHUNK_SIZE;
    this.chunk = chunk;
    this.start = this.used = 0;
    return chunk;
  }

  private flushQueue(): void {
    this.flushScheduled = false;
    if (this.closed || this.waitingDrain || this.queued === 0) return;
    const views = this.sealed;
    if (this.chunk !== undefined && this.used > this.start) views.push(this.chunk.subarray(this.start, this.used));
    this.sealed = [];
    this.start = this.used;
    // Handed over from here: the open batch takes no more events (its bytes must not change).
    this.batchHeader = undefined;
    this.frameCount += this.queuedFrames;
    this.batchCount += this.queuedBatches;
    this.batchedCount += this.queuedBatched;
    this.queuedBatches = this.queuedBatched = 0;
    this.byteCount += this.queued;
    const flushed = this.queued;
    this.queued = this.queuedFrames = 0;
    let accepted = true;
    if (views.length === 1) {
      accepted = this.out.write(views[0] as Buffer);
      this.writeCount++;
    } else {
      // Corked, a net.Socket sends the chunks of one flush with one writev.
      this.out.cork?.();
      for (const view of views) accepted = this.out.write(view);
      this.out.uncork?.();
      this.writeCount += views.length;
    }
    if (this.budget !== undefined) {
      // Bytes a writable took without asking to wait are out of our hands (its high-water
      // mark bounds them); those past it stay charged until 'drain'.
      if (accepted) this.budget.release(flushed);
      else this.undrained += flushed;
    }
    if (!accepted) {
      this.waitingDrain = true;
      this.drainCount++;
      this.out.once('drain', this.onDrain);
    }
  }
}

function byteLengthOf(event: string | Buffer): number {
  return typeof event === 'string' ? Buffer.byteLength(event, 'utf8') : event.length;
}

/**
 * Writes `event` at `at` if it fits in `room` bytes, returning its length (else -1). Only
 * written, not committed: the caller decides whether these bytes become part of the batch.
 */
function writeEntry(chunk: Buffer, at: number, room: number, event: string | Buffer): number {
  if (typeof event !== 'string') {
    if (event.length > room) return -1;
    chunk.set(event, at);
    return event.length;
  }
  // At most 3 bytes per UTF-16 unit: with that much room one pass writes it and says its
  // length, sparing the separate Buffer.byteLength pass (a tenth of the sender's work per event).
  if (event.length * 3 <= room) return chunk.write(event, at, room, 'utf8');
  const length = Buffer.byteLength(event, 'utf8');
  return length > room ? -1 : chunk.write(event, at, length, 'utf8');
}
