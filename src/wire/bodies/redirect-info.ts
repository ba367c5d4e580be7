import { MeshError } from '../../errors.js';
import { isInt32, parseJsonObject, requiredString, toJsonBytes } from '../json.js';

/** PROTOCOL §11.8 / §11.14: where a REDIRECT_TO_CLIENT sends the client to reconnect. */
export interface RedirectInfo {
  readonly ip: string;
  readonly port: number;
}

const BAD_BODY = 'ERR_MESH_WIRE_BAD_BODY';
const WHAT = 'RedirectInfo';

export function encodeRedirectInfo(info: RedirectInfo): Buffer {
  const { ip, port } = checked(info.ip, info.port);
  return toJsonBytes({ ip, port });
}

export function decodeRedirectInfo(body: Uint8Array | undefined): RedirectInfo {
  if (body === undefined || body.length === 0) throw new MeshError(BAD_BODY, `${WHAT} body is missing`);
  const obj = parseJsonObject(body, BAD_BODY, WHAT);
  return checked(requiredString(obj, 'ip', BAD_BODY, WHAT), obj['port']);
}

// A redirect is only useful if it can be dialed: a non-empty host and a TCP port.
function checked(ip: unknown, port: unknown): RedirectInfo {
  if (typeof ip !== 'string' || ip.length === 0) throw new MeshError(BAD_BODY, `${WHAT}.ip must be a non-empty string`);
  if (!isInt32(port) || port < 1 || port > 65_535) throw new MeshError(BAD_BODY, `${WHAT}.port must be a TCP port`);
  return { ip, port };
}
