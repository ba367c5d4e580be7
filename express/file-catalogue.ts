import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { MeshError } from '../src/index.js';
import type { SubscriptionCatalogue, SubscriptionRecord } from './subscription-record.js';

const FORMAT = 'evmesh-subscriptions/1';

interface CatalogueFile {
  readonly format: typeof FORMAT;
  readonly subscriptions: SubscriptionRecord[];
}

/**
 * Keeps the definitions in a JSON file. Every change rewrites the whole file through a
 * temporary file and a rename, so a crash leaves the old file or the new one, never half
 * of one. The file holds `protocolsettings.headers` as given (credentials included): it
 * is written readable by its owner only. A missing file is an empty catalogue; one that
 * is not this format fails `load` with `ERR_MESH_CATALOGUE_FAILED`.
 * @example subscriptionsApi(mesh, { catalogue: fileCatalogue('./subscriptions.json') })
 */
export function fileCatalogue(path: string): SubscriptionCatalogue {
  if (typeof path !== 'string' || path.length === 0) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'fileCatalogue needs a file path', { details: { option: 'catalogue' } });
  }
  let records: Map<string, SubscriptionRecord> | undefined;
  // One write at a time, in call order: two renames racing could leave the older state.
  let writing: Promise<void> = Promise.resolve();
  const loaded = async (): Promise<Map<string, SubscriptionRecord>> => {
    records ??= new Map((await read(path)).map((r) => [r.id, r]));
    return records;
  };
  const save = (change: (all: Map<string, SubscriptionRecord>) => void): Promise<void> => {
    const next = writing.then(async () => {
      // Changed on a copy: a failed write leaves what is loaded as the file still says.
      const all = new Map(await loaded());
      change(all);
      await write(path, { format: FORMAT, subscriptions: [...all.values()] });
      records = all;
    });
    writing = next.catch(() => undefined);
    return next;
  };
  return {
    load: async () => [...(await loaded()).values()],
    put: (record) => save((all) => all.set(record.id, record)),
    remove: (id) => save((all) => all.delete(id)),
  };
}

async function read(path: string): Promise<SubscriptionRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw failed(`Cannot read the subscriptions catalogue ${path}: ${(err as Error).message}`, path, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw failed(`The subscriptions catalogue ${path} is not JSON (${(err as Error).message}); fix or remove it`, path, err);
  }
  const file = parsed as Partial<CatalogueFile> | null;
  if (typeof file !== 'object' || file === null || file.format !== FORMAT || !Array.isArray(file.subscriptions)) {
    throw failed(`The subscriptions catalogue ${path} is not an ${FORMAT} file`, path);
  }
  const bad = file.subscriptions.findIndex((r) => typeof r !== 'object' || r === null || typeof r.id !== 'string');
  if (bad >= 0) throw failed(`The subscriptions catalogue ${path} has an entry without an id (subscriptions[${bad}])`, path);
  return file.subscriptions;
}

async function write(path: string, file: CatalogueFile): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
      // On disk before the rename makes it the catalogue, or a power cut could leave it empty.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw failed(`Cannot write the subscriptions catalogue ${path}: ${(err as Error).message}`, path, err);
  }
}

function failed(message: string, path: string, cause?: unknown): MeshError {
  return new MeshError('ERR_MESH_CATALOGUE_FAILED', message, { cause, details: { path } });
}
