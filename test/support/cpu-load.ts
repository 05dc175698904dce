import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A CPU-bound process beside a test, as another busy program on the machine would be: on a
 * 2-core machine it takes one core, and the timings it changes expose recovery bugs a quiet
 * machine hides. It is bounded twice: `timeout` ends it after `maxMs` even if the test process
 * dies, and stop() kills it by its PID.
 */
export class CpuLoad {
  private constructor(private readonly child: ChildProcess) {}

  static start(maxMs: number): CpuLoad {
    const seconds = Math.max(1, Math.ceil(maxMs / 1_000));
    const child = spawn(
      'timeout',
      ['-s', 'KILL', String(seconds), 'sh', '-c', 'while :; do :; done'],
      {
        stdio: 'ignore',
      },
    );
    if (child.pid === undefined) throw new Error('the CPU load process did not start');
    return new CpuLoad(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills the load (its `timeout` wrapper and the loop under it) and waits for it to end. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    // SIGTERM makes `timeout` pass the signal on to the loop before it exits itself.
    this.child.kill('SIGTERM');
    await exited;
  }

  /** Runs `body` with the load beside it, and always stops the load afterwards. */
  static async during<T>(maxMs: number, body: () => Promise<T>): Promise<T> {
    const load = CpuLoad.start(maxMs);
    try {
      return await body();
    } finally {
      await load.stop();
    }
  }
}
