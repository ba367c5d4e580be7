/**
 * A mesh reply carries only data, so a `@MessagePattern` handler's error (what Nest's
 * exception filters left) travels as `{ [RPC_ERROR_KEY]: error }`, JSON across nodes;
 * `MeshClient.send` turns it back into an error. Plain `mesh.request` callers see the
 * envelope as the reply's data.
 */
export const RPC_ERROR_KEY = '$evmeshRpcError';

export function errorReply(err: unknown): Record<string, unknown> {
  return { [RPC_ERROR_KEY]: serializable(err) };
}

/** The error a reply carries, if it is an error reply. */
export function errorOf(data: unknown): { error: unknown } | undefined {
  if (typeof data !== 'object' || data === null || !Object.hasOwn(data, RPC_ERROR_KEY)) return undefined;
  return { error: (data as Record<string, unknown>)[RPC_ERROR_KEY] };
}

// Nest's filters hand back plain objects ({ status, message }); an Error instance
// would serialise to {} across nodes, so its message and code are kept instead.
function serializable(err: unknown): unknown {
  if (!(err instanceof Error)) return err ?? { status: 'error', message: 'Internal server error' };
  const code = (err as { code?: unknown }).code;
  return { status: 'error', message: err.message, ...(code === undefined ? {} : { code }) };
}

/**
 * What fails an event delivery: Nest's filters hand back plain objects, which the
 * mesh would report as "[object Object]"; an Error with their message (the object
 * as its cause) keeps `on('error')` readable.
 */
export function deliveryFailure(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const { message } = err as { message?: unknown };
  let text: string;
  try {
    text = typeof message === 'string' ? message : JSON.stringify(err);
  } catch {
    text = 'the handler failed';
  }
  return new Error(text, { cause: err });
}
