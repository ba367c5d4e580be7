import { MeshError } from '../errors.js';

/**
 * An integer option of an adapter or integration (a size, a count, ms): `fallback`
 * when absent, otherwise at least `min`, or ERR_MESH_INVALID_OPTIONS naming it.
 */
export function integerOption(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new MeshError('ERR_MESH_INVALID_OPTIONS', `${name} must be an integer >= ${min}`);
  return value;
}
