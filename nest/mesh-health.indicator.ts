import { Injectable } from '@nestjs/common';
import type { HealthOptions, HealthReport, Mesh } from '../src/index.js';
import { InjectMesh } from './inject-mesh.js';

/**
 * What the indicator reports under its key: terminus's `HealthIndicatorResult` shape
 * (`{ [key]: { status, ...data } }`), spelled out here so that `evmesh/nest` imports
 * nothing of `@nestjs/terminus`, not even its types, and loads where it is not installed.
 */
export type MeshHealthIndicatorResult<Key extends string = string> = Record<Key, {
  readonly status: 'up' | 'down';
  /** The node id. */
  readonly id: string;
  readonly checks: HealthReport['checks'];
  /** When down: why, one line per failed check (also joined as `message`). */
  readonly reasons?: readonly string[];
  readonly message?: string;
}>;

/**
 * A `@nestjs/terminus` health indicator for the module's mesh: `up` when `mesh.health()`
 * is ok (started, and as asked: peers linked, store answering), `down` with the reasons
 * otherwise. `MeshModule` provides it; use it in a `HealthCheckService.check([...])`:
 * `() => this.mesh.isHealthy('mesh', { store: true })`. It returns a down result rather
 * than throwing `HealthCheckError` (deprecated in terminus 11, whose
 * `HealthIndicatorService` makes the same objects), so terminus answers 503 with it.
 */
@Injectable()
export class MeshHealthIndicator {
  constructor(@InjectMesh() private readonly mesh: Mesh) {}

  /** `key` names the result (terminus reports it under `info`/`error`/`details`); `options` are `mesh.health()`'s. */
  async isHealthy<const Key extends string>(key: Key, options?: HealthOptions): Promise<MeshHealthIndicatorResult<Key>> {
    const report = await this.mesh.health(options);
    const detail = report.ok
      ? { status: 'up' as const, id: report.id, checks: report.checks }
      : { status: 'down' as const, id: report.id, checks: report.checks, reasons: report.reasons, message: report.reasons.join('; ') };
    return { [key]: detail } as MeshHealthIndicatorResult<Key>;
  }
}
