/** The objective along a search direction at a step: its value and its slope (derivative in the step). */
export interface LinePoint {
  value: number;
  slope: number;
}

export interface LineSearchOptions {
  /** Sufficient-decrease constant (Armijo), default 1e-4. */
  c1?: number;
  /** Curvature constant, default 0.9 (right for quasi-Newton directions). */
  c2?: number;
  /** Evaluations allowed before giving up, default 25. */
  maxEvaluations?: number;
  /** Largest step tried, default 1e10. */
  maxStep?: number;
}

export interface LineSearchResult {
  step: number;
  value: number;
  /** Whether `step` satisfies the strong Wolfe conditions. */
  ok: boolean;
  evaluations: number;
}

/**
 * Finds a step meeting the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6, with
 * safeguarded cubic interpolation). `probe(step)` evaluates the objective at x + step·d.
 * When it fails, it returns the best sufficient-decrease step seen, or 0 when there is none; the
 * caller must re-probe that step if it was not the last one evaluated.
 */
export function strongWolfe(
  probe: (step: number) => LinePoint,
  start: LinePoint,
  firstStep: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 25;
  const maxStep = options.maxStep ?? 1e10;
  const f0 = start.value;
  const g0 = start.slope;
  let evaluations = 0;
  let best = { step: 0, value: f0 };
  const evaluate = (step: number): LinePoint => {
    evaluations++;
    const point = probe(step);
    // An overflow (Infinity or NaN) counts as "too far": the bracketing logic then shrinks the step.
    if (!Number.isFinite(point.value)) return { value: Infinity, slope: NaN };
    if (point.value <= f0 + c1 * step * g0 && point.value < best.value) best = { step, value: point.value };
    return point;
  };
  const accepted = (step: number, point: LinePoint): LineSearchResult => ({
    step,
    value: point.value,
    ok: true,
    evaluations,
  });

  // Bracketing phase: grow the step until it overshoots the minimum or satisfies both conditions.
  let prevStep = 0;
  let prev: LinePoint = start;
  let step = Math.min(firstStep, maxStep);
  while (evaluations < maxEvaluations) {
    const point = evaluate(step);
    if (point.value > f0 + c1 * step * g0 || (evaluations > 1 && point.value >= prev.value)) {
      return zoom(prevStep, prev, step, point);
    }
    if (Math.abs(point.slope) <= -c2 * g0) return accepted(step, point);
    if (point.slope >= 0) return zoom(step, point, prevStep, prev);
    if (step >= maxStep) break;
    prevStep = step;
    prev = point;
    step = Math.min(4 * step, maxStep);
  }
  return { ...best, ok: false, evaluations };

  // Shrinks [lo, hi] (lo always has the lower value and satisfies sufficient decrease) until a point
  // meets the curvature condition.
  function zoom(lo: number, fLo: LinePoint, hi: number, fHi: LinePoint): LineSearchResult {
    while (evaluations < maxEvaluations) {
      const width = hi - lo;
      if (Math.abs(width) <= 1e-16 * Math.max(Math.abs(lo), Math.abs(hi))) break;
      let step = cubicMinimum(lo, fLo, hi, fHi);
      // Keep the trial inside the interval, away from its ends, so the bracket always shrinks.
      const left = Math.min(lo, hi) + 0.1 * Math.abs(width);
      const right = Math.max(lo, hi) - 0.1 * Math.abs(width);
      if (!(step >= left && step <= right)) step = lo + 0.5 * width;
      const point = evaluate(step);
      if (point.value > f0 + c1 * step * g0 || point.value >= fLo.value) {
        hi = step;
        fHi = point;
      } else {
        if (Math.abs(point.slope) <= -c2 * g0) return accepted(step, point);
        if (point.slope * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
        }
        lo = step;
        fLo = point;
      }
    }
    return { ...best, ok: false, evaluations };
  }
}

/** The minimiser of the cubic through (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59); NaN if it has none. */
function cubicMinimum(a: number, fa: LinePoint, b: number, fb: LinePoint): number {
  const d1 = fa.slope + fb.slope - (3 * (fa.value - fb.value)) / (a - b);
  const disc = d1 * d1 - fa.slope * fb.slope;
  if (!(disc >= 0) || !Number.isFinite(fb.value)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (fb.slope + d2 - d1)) / (fb.slope - fa.slope + 2 * d2);
}
