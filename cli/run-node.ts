import type { Server } from 'node:http';
import { createMesh, type Mesh } from '../src/index.js';
import { httpAuthOf } from './access.js';
import { CliError, EXIT, exitCodeOf, type ExitCode } from './exit-codes.js';
import { nodeHelp } from './help.js';
import { closeHttp, listenHttp } from './http-server.js';
import { nodeRoutes, type NodeRoutes } from './http-routes.js';
import { errorFields, JsonLogger } from './json-logger.js';
import { meshOptions } from './mesh-options.js';
import type { NodeConfig } from './node-config.js';
import { parseArgs } from './parse-args.js';
import { printableConfig, withoutPassword } from './print-config.js';
import { resolveConfig } from './resolve-config.js';
import { catalogueFailure, catalogueOf, catalogueWarning } from './subscriptions-config.js';
import type { Address } from './values.js';

/** What the CLI touches of its process, so tests and main share one path. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Calls `stop` on SIGTERM/SIGINT; a second signal calls `now`. */
  readonly onSignal: (stop: (signal: string) => void, now: (signal: string) => void) => void;
}

/** A running node: what a signal stops. */
interface Running {
  readonly mesh: Mesh;
  readonly log: JsonLogger;
  readonly http: { server: Server; routes: NodeRoutes } | undefined;
}

/** How long a shutdown waits for HTTP requests under way before it closes their connections. */
const HTTP_DRAIN_MS = 5000;

/** `evmesh node …`: resolves with the exit code once the node has stopped (or could not start). */
export async function runNode(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseArgs(argv);
  if (args.help) {
    io.out(nodeHelp());
    return EXIT.ok;
  }
  const config = resolveConfig(args.values, args.config, io.env);
  if (args.printConfig) {
    io.out(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
    return EXIT.ok;
  }
  const log = new JsonLogger(config.id, io.out);
  const running = await start(config, log);
  return new Promise((resolve) => {
    io.onSignal(
      (signal) => void stop(running, signal).then(resolve),
      (signal) => {
        log.warn('second signal: exiting at once', { signal });
        resolve(EXIT.failure);
      },
    );
  });
}

async function start(config: NodeConfig, log: JsonLogger): Promise<Running> {
  const mesh = createMesh(await meshOptions(config, log));
  let http: Running['http'];
  try {
    await mesh.start();
    if (config.http !== undefined) {
      const served = await serveHttp(mesh, { ...config, http: config.http }, log);
      http = { server: served.server, routes: served.routes };
      config = { ...config, http: served.bound };
    }
  } catch (err) {
    await mesh.close().catch(() => undefined);
    throw err;
  }
  log.info('ready', {
    listen: mesh.address === undefined ? 'off' : show(mesh.address),
    http: http === undefined ? 'off' : show(config.http as Address),
    store: withoutPassword(config.store),
    peers: config.peers,
    startupMs: Math.round(performance.now()),
  });
  return { mesh, log, http };
}

/** The HTTP side: routes made, catalogued subscriptions restored, then the port opened. */
async function serveHttp(mesh: Mesh, config: NodeConfig & { http: Address }, log: JsonLogger): Promise<{ server: Server; routes: NodeRoutes; bound: Address }> {
  const routes = nodeRoutes(mesh, {
    auth: httpAuthOf(config), metricsPublic: config.metricsPublic,
    subscriptions: {
      catalogue: catalogueOf(config), deadLetter: config.deadLetter, maxSubscriptions: config.maxSubscriptions,
      ...(config.allowedSinks === undefined ? {} : { allowedSinks: config.allowedSinks }),
    },
    onError: (err) => log.error('http handler failed', err instanceof Error ? { err: errorFields(err) } : { err: String(err) }),
  });
  const warning = catalogueWarning(config);
  if (warning !== undefined) log.warn(warning, { store: withoutPassword(config.store) });
  try {
    // Before the port opens: no caller sees a list without what the catalogue holds, and
    // a catalogue that cannot be restored stops the start rather than 503 every request.
    await routes.subscriptions.ready;
    const { server, bound } = await listenHttp(routes.handle, config.http);
    return { server, routes, bound };
  } catch (err) {
    await routes.subscriptions.close().catch(() => undefined);
    throw catalogueFailure(err, config.subscriptions);
  }
}

/** Stop accepting HTTP, answer what is under way, then close the mesh (it drains). */
async function stop({ mesh, log, http }: Running, signal: string): Promise<ExitCode> {
  log.info('stopping', { signal });
  if (http !== undefined) {
    const closed = closeHttp(http.server, HTTP_DRAIN_MS);
    http.routes.events.closeStreams();
    await closed;
  }
  try {
    // The sinks stop before the mesh: what they had not delivered stays in the store for the next start.
    if (http !== undefined) await http.routes.subscriptions.close();
    await mesh.close();
  } catch (err) {
    log.error('close failed', err instanceof Error ? { err: errorFields(err) } : {});
    return EXIT.failure;
  }
  log.info('stopped', { signal });
  return EXIT.ok;
}

function show(a: Address): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${String(a.port)}`;
}

/** The option a start-up failure is about, for its message. */
const FLAG_OF: Readonly<Record<string, string>> = {
  ERR_MESH_LISTEN_FAILED: '--listen: ',
  ERR_MESH_STORE_UNAVAILABLE: '--store: ',
  ERR_MESH_ADAPTER_MISSING_DEP: '--store: ',
};

/** One line on stderr for a failure before or during start; the code it exits with. */
export function reportFailure(err: unknown, io: Pick<CliIo, 'err'>): ExitCode {
  const code = exitCodeOf(err);
  const meshCode = (err as { code?: unknown } | null)?.code;
  const flag = typeof meshCode === 'string' ? FLAG_OF[meshCode] : undefined;
  const text = err instanceof CliError ? err.message : err instanceof Error ? `${flag ?? ''}${err.message}${typeof meshCode === 'string' ? ` (${meshCode})` : ''}` : String(err);
  io.err(`evmesh: ${text}\n`);
  if (code === EXIT.usage) io.err('Run evmesh node --help for the options.\n');
  if (code === EXIT.failure && err instanceof Error && !(err instanceof CliError)) io.err(`${err.stack ?? ''}\n`);
  return code;
}
