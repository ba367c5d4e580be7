import { fork, type ChildProcess } from 'node:child_process';

/**
 * A forked helper process of a cross-process case, talked to over the fork IPC channel
 * (never on the data path), with a mailbox: a message that arrives before it is awaited
 * is kept, and `next(op)` takes the first one of that kind. The process exiting, or
 * `fail(reason)`, makes every later `next` throw.
 */
export class ForkedProcess<From extends { readonly op: string }, To> {
  protected readonly child: ChildProcess;
  private readonly inbox: From[] = [];
  private wake: (() => void) | undefined;
  private failure: string | undefined;

  /**
   * @param name how errors name this process
   * @param execArgv node flags; inherited from this process when left out
   */
  constructor(entry: string, args: unknown, private readonly name: string, execArgv?: string[]) {
    this.child = fork(entry, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(execArgv === undefined ? {} : { execArgv }) });
    this.child.on('message', (msg: From) => {
      if (this.accept(msg)) this.inbox.push(msg);
      this.wake?.();
    });
    this.child.on('exit', (code, signal) => {
      this.fail(`${name} exited (${String(code ?? signal)})`);
    });
  }

  /** What a subclass does with a message first; false keeps it out of the mailbox. */
  protected accept(_msg: From): boolean {
    return true;
  }

  /** Every later `next` throws `reason` (the first reason given wins). */
  protected fail(reason: string): void {
    this.failure ??= reason;
    this.wake?.();
  }

  send(msg: To): void {
    this.child.send(msg as object);
  }

  /** The next message `op` (or the first failure), within `ms`. */
  async next<K extends From['op']>(op: K, ms: number): Promise<Extract<From, { op: K }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.failure !== undefined) throw new Error(this.failure);
      const i = this.inbox.findIndex((m) => m.op === op);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<From, { op: K }>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${op}' from ${this.name} within ${ms / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Asks the process to exit (`exit`, its goodbye message) and kills it after `graceMs`. */
  async stop(exit: To, graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.send(exit);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
