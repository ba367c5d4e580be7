import { MeshError } from '../errors.js';

/**
 * Loads an optional peer dependency (a broker client, a database driver) the first
 * time an adapter needs it, so `import 'evmesh'` and the adapter entries work with
 * none of them installed. A package that is not installed becomes
 * `ERR_MESH_ADAPTER_MISSING_DEP` naming it; any other failure while loading it
 * (a broken native build, say) is passed through as it is.
 *
 * The ESM build calls `import()`; the CommonJS build compiles it to `require()`,
 * so the module comes back in either shape: callers read `default ?? module`.
 */
export async function loadDependency<T>(name: string, neededBy: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    if (!isNotFound(err, name)) throw err;
    throw new MeshError('ERR_MESH_ADAPTER_MISSING_DEP', `${neededBy} needs the package "${name}", which is not installed: npm install ${name}`, {
      cause: err,
      details: { package: name, neededBy },
    });
  }
}

function isNotFound(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // A dependency *of* the package missing is a broken install, not a missing peer.
  const message = err instanceof Error ? err.message : '';
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}
