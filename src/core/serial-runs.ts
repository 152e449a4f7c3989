/**
 * An async task run one run at a time, for writes that take whatever is buffered when they start.
 * A call during a run schedules one more run after it, shared by every call until that run starts:
 * each caller's promise settles with a run that began after its call (so it covers what the caller
 * buffered), and a burst of calls during a long run costs one run, not a queue of them.
 */
export function serialRuns<T>(task: () => Promise<T>): () => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    next = null;
    return task();
  };
  return () => {
    if (next === null) {
      next = last.then(start, start);
      last = next;
    }
    return next;
  };
}
