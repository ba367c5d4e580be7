import { MeshError } from '../errors.js';

/** A CESQL parse error: `ERR_MESH_INVALID_FILTER`, with the 0-based character position. */
export function parseError(expression: string, position: number, problem: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_FILTER', `Invalid CESQL expression at position ${String(position)}: ${problem}`, {
    details: { expression, position, errors: [{ kind: 'parse', message: problem }] },
  });
}
