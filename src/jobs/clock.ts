/** Time as the queue and the scheduler see it; tests pass a ManualClock to fire schedules at once. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    // A pending schedule must not keep a finished CLI process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface Timer {
  at: number;
  order: number;
  fn: () => void;
}

/** A clock that moves only when told to: `advance` runs every timer that falls due, in time order. */
export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private order = 0;

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.time + Math.max(0, ms), order: this.order++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers (and timers they set that also fall due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
  }

  /** Moves time to `date` (never backwards). */
  advanceTo(date: Date): void {
    this.advance(Math.max(0, date.getTime() - this.time));
  }
}
