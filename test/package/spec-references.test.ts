// Code cites the protocol document in the repository (src/wire/PROTOCOL.md), never a
// document outside it: every citation must resolve in a fresh clone. Reads the tracked
// files as git lists them. The patterns below are written so that this file, which is
// one of the files read, does not match them itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const PROTOCOL_MD = 'src/wire/PROTOCOL.md';

/** Where code, tests and their docs live. */
const SOURCE_ROOTS = ['src/', 'adapters/', 'nest/', 'express/', 'test/', 'benchmarks/', 'scripts/', 'examples/'];

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  // A tracked file deleted in this checkout (not yet staged) has nothing to read.
  .filter((path) => path !== '' && existsSync(join(root, path)));
const sources = tracked.filter((path) => path === 'README.md' || SOURCE_ROOTS.some((dir) => path.startsWith(dir)));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Hit {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every line of `files` that `pattern` matches, as `file:line text`. */
function hits(files: readonly string[], pattern: RegExp): Hit[] {
  const found: Hit[] = [];
  for (const file of files) {
    read(file)
      .split('\n')
      .forEach((text, i) => {
        if (pattern.test(text)) found.push({ file, line: i + 1, text: text.trim() });
      });
  }
  return found;
}

const show = (list: readonly Hit[]): string[] => list.map((h) => `${h.file}:${h.line} ${h.text}`);

/**
 * The section numbers PROTOCOL.md defines: `## 8. Title` for a section, and for a
 * subsection either a `### 8.2` heading or, as the document writes them, a paragraph that
 * starts with its number (`8.2 **Topics and routing.**`) inside a section that exists.
 */
function protocolSections(text: string): Set<string> {
  const sections = new Set<string>();
  for (const line of text.split('\n')) {
    const section = /^## (\d+)\. /.exec(line);
    if (section) sections.add(section[1]!);
    const sub = /^(?:### )?(\d+)\.(\d+)[ .]/.exec(line);
    if (sub && sections.has(sub[1]!)) sections.add(`${sub[1]}.${sub[2]}`);
  }
  return sections;
}

/**
 * The section numbers a line cites: `PROTOCOL §8.2`, `PROTOCOL.md §4`, and the ones
 * chained on to such a citation (`PROTOCOL §8.1–§8.4`, `PROTOCOL §2.4 / §8.1`).
 */
function citedSections(line: string): string[] {
  const cited: string[] = [];
  for (const citation of line.matchAll(/PROTOCOL(?:\.md)? §\d+(?:\.\d+)?(?:\s*(?:–|-|\/|,|and)\s*§\d+(?:\.\d+)?)*/g)) {
    for (const number of citation[0].matchAll(/§(\d+(?:\.\d+)?)/g)) cited.push(number[1]!);
  }
  return cited;
}

describe('protocol citations in the repository', () => {
  it('reads the tracked sources through git (the check is not vacuous)', () => {
    expect(sources).toContain(PROTOCOL_MD);
    expect(sources).toContain('README.md');
    expect(sources.filter((path) => path.startsWith('src/wire/')).length).toBeGreaterThan(5);
    expect(sources.filter((path) => path.startsWith('test/')).length).toBeGreaterThan(50);
  });

  it('cites no part or file of the external EventMesh reference anywhere', () => {
    expect(show(hits(sources, /\bPart [AB]\b|eventmesh-tcp\.md/))).toEqual([]);
  });

  it('cites only PROTOCOL.md sections that exist', () => {
    const sections = protocolSections(read(PROTOCOL_MD));
    const missing: string[] = [];
    let citations = 0;
    for (const file of sources) {
      read(file)
        .split('\n')
        .forEach((text, i) => {
          for (const number of citedSections(text)) {
            citations += 1;
            if (!sections.has(number)) missing.push(`${file}:${i + 1} §${number}: ${text.trim()}`);
          }
        });
    }
    expect(missing).toEqual([]);
    expect(citations).toBeGreaterThan(100);
  });

  it('tells the sections PROTOCOL.md defines and the ones a line cites', () => {
    const sections = protocolSections(read(PROTOCOL_MD));
    for (const number of ['1', '1.1', '2.4', '8', '8.2', '8.8', '10', '11', '11.1', '11.15']) expect(sections).toContain(number);
    for (const number of ['8.9', '11.16', '12']) expect(sections).not.toContain(number);
    expect(citedSections('see PROTOCOL §8.5–§8.8 and PROTOCOL.md §4; also §6 alone')).toEqual(['8.5', '8.8', '4']);
    expect(citedSections('PROTOCOL §2.4 / §8.1 (the HELLO)')).toEqual(['2.4', '8.1']);
  });

  it('names no absolute path of a development machine in any tracked file', () => {
    // An absolute path into one of these directories, not the tail of a URL or of a
    // relative path (`example.com/home/`).
    const machinePath = new RegExp(`(?<![\\w.~-])/(?:${['work', 'home', 'root'].join('|')})/`);
    expect(show(hits(tracked, machinePath))).toEqual([]);
    expect(machinePath.test(' * /wo' + 'rk/shared/x.md')).toBe(true);
    expect(machinePath.test('https://example.com/home/')).toBe(false);
  });
});
