import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type TestPki } from '../support/certs.js';
import { readmeExample, root, runProgram } from './readme-example.js';
import { freePort } from '../support/free-port.js';

let pki: TestPki;
let dir: string;

beforeAll(() => {
  pki = makePki();
  dir = join(root, '.tmp', `readme-security-certs-${process.pid}`);
});
afterAll(() => {
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('README Security example', () => {
  it('runs as written: mutual TLS, the certificate CN as identity, and the acl in both directions', async () => {
    const example = readmeExample('## Security');
    expect(example).toContain('requestCert: true');
    const billing = pki.client('billing');
    const file = join(dir, 'example.mts');
    mkdirSync(dir, { recursive: true });
    for (const [name, pem] of Object.entries({ ca: pki.ca, hub: pki.server.cert, 'hub-key': pki.server.key, billing: billing.cert, 'billing-key': billing.key })) {
      writeFileSync(join(dir, `${name}.pem`), pem);
    }
    const port = String(await freePort());
    const program = example.replace("from 'evmesh'", `from '${join(root, 'src', 'index.js')}'`).replace('./certs/', `${dir}/`).replaceAll('10002', port);
    const stdout = await runProgram(file, program);
    expect(stdout).toContain('billing got com.shop.order.created');
    expect(stdout).not.toContain('billing got com.shop.payroll.run');
    expect(stdout).toContain('hub got com.shop.invoice.created');
    expect(stdout).not.toContain('hub got com.shop.order.cancelled');
    expect(stdout).toContain('refused ERR_MESH_FORBIDDEN {"identity":"billing","kind":"peer","action":"publish","topic":"com.shop.order.cancelled"}');
    expect(stdout).toContain('check ok');
  });
});
