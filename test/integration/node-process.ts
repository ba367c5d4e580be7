import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AccessControlList } from '../../src/index.js';
import { until } from '../support/expect-code.js';

export interface NodeConfig { id: string; port?: number; peers?: string[]; subscribe?: string[]; respond?: string[]; acl?: AccessControlList }
export interface Received { node: string; topic: string; data: unknown }

const FIXTURE = join(import.meta.dirname, 'fixtures', 'node.mts');

/** A mesh node running in a child process (real TCP between processes). */
export class NodeProcess {
  readonly events: Received[] = [];
  readonly errors: string[] = [];
  port: number | undefined;
  private readonly child: ChildProcess;
  private readonly replies = new Map<number, (reply: { data?: unknown; code?: string }) => void>();
  private nextId = 0;

  private constructor(config: NodeConfig) {
    this.child = fork(FIXTURE, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { type: string; id?: number; port?: number; code?: string } & Partial<Received>) => {
      if (m.type === 'event') this.events.push({ node: m.node as string, topic: m.topic as string, data: m.data });
      else if (m.type === 'error') this.errors.push(m.code as string);
      else if (m.type === 'reply') this.replies.get(m.id as number)?.(m as { data?: unknown; code?: string });
    });
  }

  static start(config: NodeConfig): Promise<NodeProcess> {
    const node = new NodeProcess(config);
    return new Promise((resolve, reject) => {
      node.child.once('exit', (code) => reject(new Error(`node ${config.id} exited early (${String(code)})`)));
      node.child.on('message', (m: { type: string; port?: number }) => {
        if (m.type !== 'ready') return;
        node.port = m.port;
        resolve(node);
      });
    });
  }

  emit(topic: string, data: unknown): void {
    this.child.send({ cmd: 'emit', topic, data });
  }

  /** Emits `count` events (data 0, 1, …) in one synchronous burst. */
  emitMany(topic: string, count: number): void {
    this.child.send({ cmd: 'emitMany', topic, count });
  }

  request(topic: string, timeout = 1000): Promise<{ data?: unknown; code?: string }> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.child.send({ cmd: 'request', id, topic, timeout });
    });
  }

  /** Polls a request until it is answered (interest propagates asynchronously). */
  async requestUntilAnswered(topic: string, deadlineMs = 10_000): Promise<unknown> {
    let reply: { data?: unknown; code?: string } = {};
    await until(async () => (reply = await this.request(topic, 500)).code === undefined, deadlineMs, 50).catch(() => {
      throw new Error(`${topic}: still ${String(reply.code)}`);
    });
    return reply.data;
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ cmd: 'close' });
    });
  }
}
