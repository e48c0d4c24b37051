/**
 * At most `concurrency` tasks at once; up to `maxQueued` more wait their turn in order, and beyond
 * that a task is refused at once (the caller answers "busy" instead of piling work up).
 */
export class WorkLimiter {
  private running = 0;
  private peak = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {}

  /** The most tasks seen running at the same time since the last `resetPeak()`. */
  get peakRunning(): number {
    return this.peak;
  }

  get queued(): number {
    return this.waiting.length;
  }

  resetPeak(): void {
    this.peak = this.running;
  }

  /** Runs `task` when a slot is free; returns null without running it when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    this.peak = Math.max(this.peak, this.running);
    try {
      return { value: await task() };
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never dips and overshoots.
      if (next) next();
      else this.running--;
    }
  }
}
