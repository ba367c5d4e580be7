import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESH_ERROR_CODES } from '../../src/index.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** Rows of the README's error table: | `ERR_MESH_X` | yes/no | meaning | */
function documentedCodes(): Map<string, boolean> {
  const rows = new Map<string, boolean>();
  for (const match of readme.matchAll(/^\| `(ERR_MESH_[A-Z_]+)` \| (yes|no) \|/gm)) {
    rows.set(match[1] as string, match[2] === 'yes');
  }
  return rows;
}

describe('README', () => {
  it('documents every error code, and only real ones, with the right retryable flag', () => {
    const documented = documentedCodes();
    const actual = new Map(Object.entries(MESH_ERROR_CODES).map(([code, info]) => [code, info.retryable]));
    expect(documented).toEqual(actual);
  });

  it('encodes the stream pattern in its code: an unencoded `#` would be cut off as the URL fragment', () => {
    const fenced = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const eventSources = [...readme.matchAll(/`([^`\n]*new EventSource\([^`\n]*)`/g)].map((m) => m[1] as string);
    expect(eventSources.length).toBeGreaterThan(0);
    for (const code of [...fenced, ...eventSources]) {
      expect(code).not.toMatch(/pattern=[^'"`\s)]*#/);
    }
    expect(eventSources.every((code) => code.includes('encodeURIComponent('))).toBe(true);
  });

  it('opens with the demo and test commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm install && npm run demo');
    expect(firstBlock).toContain('npm install && npm test');
  });
});
