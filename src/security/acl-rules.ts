import { MeshError } from '../errors.js';
import { Grant, NOTHING } from './grant.js';

/** What one identity may do: the topic patterns it may publish and subscribe. */
export interface AclEntry {
  /** Topics it may bring in: events it publishes or forwards, requests it makes. */
  readonly publish?: readonly string[];
  /** Topics it may receive: events, and requests to answer. */
  readonly subscribe?: readonly string[];
}

/** Per identity, what it may publish and subscribe; `'*'` for every identity not listed. */
export type AccessControlList = Readonly<Record<string, AclEntry>>;

/** One identity's grants, compiled. */
export interface Grants {
  readonly publish: Grant;
  readonly subscribe: Grant;
}

/** The validated, compiled list: identity → grants, and the `'*'` entry's. */
export interface AclRules {
  readonly byIdentity: ReadonlyMap<string, Grants>;
  readonly others: Grants;
}

const NONE: Grants = { publish: NOTHING, subscribe: NOTHING };

function invalid(message: string, cause?: unknown): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message, { cause });
}

function grantOf(identity: string, entry: AclEntry, action: keyof AclEntry): Grant {
  const patterns = entry[action];
  if (patterns === undefined) return NOTHING;
  if (!Array.isArray(patterns)) throw invalid(`acl[${JSON.stringify(identity)}].${action} must be an array of patterns`);
  try {
    return new Grant(patterns);
  } catch (err) {
    throw invalid(`acl[${JSON.stringify(identity)}].${action}: ${(err as Error).message}`, err);
  }
}

/** Validates `createMesh({ acl })` and compiles its patterns once; throws ERR_MESH_INVALID_OPTIONS. */
export function parseAcl(value: unknown): AclRules {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('acl must be an object of identity → { publish, subscribe }');
  const byIdentity = new Map<string, Grants>();
  let others = NONE;
  for (const [identity, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(`acl[${JSON.stringify(identity)}] must be an object { publish?, subscribe? }`);
    const unknown = Object.keys(entry).filter((k) => k !== 'publish' && k !== 'subscribe');
    if (unknown.length > 0) throw invalid(`acl[${JSON.stringify(identity)}] has unknown keys: ${unknown.join(', ')}`);
    const grants = { publish: grantOf(identity, entry as AclEntry, 'publish'), subscribe: grantOf(identity, entry as AclEntry, 'subscribe') };
    if (identity === '*') others = grants;
    else byIdentity.set(identity, grants);
  }
  return { byIdentity, others };
}
