import { usageError } from './exit-codes.js';
import { LOG_LEVELS, type OptionSpec } from './option-table.js';

/** `host:port`; `off` is written as undefined. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/**
 * A value written as text (a flag's argument, an environment variable), checked against
 * its option's kind. `where` names it in the error (`--listen`, `EVMESH_LISTEN`).
 */
export function parseText(spec: OptionSpec, text: string, where: string): unknown {
  switch (spec.kind) {
    case 'boolean': {
      const v = text.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw usageError(where, `expected true or false, got ${JSON.stringify(text)}`);
    }
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw usageError(where, `expected a JSON object: ${(err as Error).message}`);
      }
      return checkValue(spec, value, where);
    }
    case 'count':
      return checkValue(spec, /^\d+$/.test(text) ? Number(text) : text, where);
    default:
      return checkValue(spec, text, where);
  }
}

/** A value from the config file (already JSON), checked against its option's kind. */
export function checkValue(spec: OptionSpec, value: unknown, where: string): unknown {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || value.length === 0) throw usageError(where, `expected a non-empty string, got ${show(value)}`);
      return value;
    case 'address':
      if (typeof value !== 'string') throw usageError(where, `expected "host:port" or "off", got ${show(value)}`);
      parseAddress(value, where);
      return value;
    case 'list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) throw usageError(where, `expected an array of strings, got ${show(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw usageError(where, `expected true or false, got ${show(value)}`);
      return value;
    case 'json':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(where, `expected an object, got ${show(value)}`);
      return value;
    case 'count':
      if (!Number.isSafeInteger(value) || (value as number) < 1) throw usageError(where, `expected a whole number of at least 1, got ${show(value)}`);
      return value;
    case 'level':
      if (typeof value !== 'string' || !(LOG_LEVELS as readonly string[]).includes(value)) throw usageError(where, `expected one of ${LOG_LEVELS.join(', ')}, got ${show(value)}`);
      return value;
  }
}

/** `host:port` (IPv6 as `[::1]:port`), or `off`: undefined. */
export function parseAddress(text: string, where: string): Address | undefined {
  if (text === 'off') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) throw usageError(where, `expected host:port (port 0..65535; 0 picks a free one) or "off", got ${JSON.stringify(text)}`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
