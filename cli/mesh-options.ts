import type { MeshLogger, MeshOptions } from '../src/index.js';
import { verifyHelloOf } from './access.js';
import { metricsRegistry } from './metrics.js';
import type { NodeConfig } from './node-config.js';
import { storeOf } from './store-spec.js';
import { listenTls, peerTls } from './tls-files.js';

/** `createMesh` options for a configuration: TLS files read, store and prom-client loaded. */
export async function meshOptions(config: NodeConfig, logger: MeshLogger): Promise<MeshOptions> {
  const tls = listenTls(config);
  const listen = config.listen === undefined ? undefined : { host: config.listen.host, port: config.listen.port, ...(tls === undefined ? {} : { tls }) };
  return {
    id: config.id,
    ...(config.source === undefined ? {} : { source: config.source }),
    ...(listen === undefined ? {} : { listen }),
    peers: config.peers,
    peerTls: peerTls(config),
    token: config.token,
    ...(config.verify === undefined ? {} : { verifyHello: verifyHelloOf(config.verify) }),
    ...(config.acl === undefined ? {} : { acl: config.acl }),
    ...(config.limits === undefined ? {} : { limits: config.limits }),
    ...(config.metrics ? { metrics: { registry: await metricsRegistry() } } : {}),
    store: await storeOf(config.store),
    logger,
    logLevel: config.logLevel,
  };
}
