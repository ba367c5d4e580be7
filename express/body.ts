import type { IncomingMessage } from 'node:http';
import { MeshError } from '../src/index.js';

/** The client went away mid-body: there is nobody left to answer. */
export class BodyAborted extends Error {}

/**
 * Reads the raw request body, refusing more than `limit` bytes with
 * `ERR_MESH_PAYLOAD_TOO_LARGE` and a body not whole within `timeout` ms (0: no limit)
 * with `ERR_MESH_BODY_TIMEOUT`, so a client trickling bytes cannot hold a request open.
 * Reads the stream itself rather than relying on `express.json()`, whose defaults and
 * `req.body` differ between Express 4 and 5. A body some earlier middleware already
 * consumed is taken from `req.body`.
 */
export function readBody(req: IncomingMessage, limit: number, timeout: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  const parsed = (req as { body?: unknown }).body;
  // Waiting for 'end' on a stream that already ended would hang: take what is left.
  if (req.readableEnded) return fromParsed(parsed ?? Buffer.alloc(0), limit);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = timeout > 0 ? setTimeout(() => {
      done();
      reject(new MeshError('ERR_MESH_BODY_TIMEOUT', `The request body did not arrive whole within ${timeout} ms (${size} bytes read)`, {
        details: { timeout, received: size },
      }));
    }, timeout) : undefined;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        // Keep draining without buffering, so the 413 can still be written.
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onAbort = (): void => {
      done();
      reject(new BodyAborted('request body aborted'));
    };
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

function fromParsed(body: unknown, limit: number): Promise<Buffer> {
  let raw: Buffer;
  if (Buffer.isBuffer(body)) raw = body;
  else if (typeof body === 'string') raw = Buffer.from(body, 'utf8');
  // Parsed by a JSON body parser: its JSON text is equivalent to what was sent.
  else raw = Buffer.from(JSON.stringify(body) ?? '', 'utf8');
  return raw.length > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(raw);
}

function tooLarge(limit: number): MeshError {
  return new MeshError('ERR_MESH_PAYLOAD_TOO_LARGE', `The request body exceeds the limit of ${limit} bytes`, { details: { limit } });
}
