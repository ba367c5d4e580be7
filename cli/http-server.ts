import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError, EXIT } from './exit-codes.js';
import type { Address } from './values.js';

/** Listens on `address`; a port that cannot be bound is exit code 3, naming `--http`. */
export function listenHttp(handle: (req: IncomingMessage, res: ServerResponse) => void, address: Address): Promise<{ server: Server; bound: Address }> {
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new CliError(EXIT.listen, `--http: cannot listen on ${address.host}:${String(address.port)}: ${err.code ?? err.message}`, { cause: err }));
    });
    server.listen(address.port, address.host, () => {
      const info = server.address() as AddressInfo;
      resolve({ server, bound: { host: info.address, port: info.port } });
    });
  });
}

/**
 * Stops accepting connections and waits, at most `ms`, for the requests under way to be
 * answered (idle keep-alive connections are closed at once); past it, closes the rest.
 */
export function closeHttp(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), ms);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
