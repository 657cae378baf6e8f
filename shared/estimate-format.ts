/**
 * How a sampled estimate (a value and its 95 % interval) is written, the same in the app and the CLI:
 * "≈ 1.02 M ± 0.4 %". The value is rounded to three significant digits because the interval is what it
 * is known to; a value of zero has no relative error, so its upper bound is given instead.
 */
export interface EstimateLike {
  value: number;
  low: number;
  high: number;
}

const compact = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });

export function approximateCount(n: number): string {
  if (n >= 1e9) return `${compact.format(n / 1e9)} G`;
  if (n >= 1e6) return `${compact.format(n / 1e6)} M`;
  if (n >= 1e4) return `${compact.format(n / 1e3)} k`;
  return compact.format(n);
}

/** "± 0.4 %" (the larger half of the interval, relative to the value), or "(at most 120)" for a zero. */
export function estimateError(estimate: EstimateLike): string {
  if (estimate.value === 0) return `(at most ${approximateCount(estimate.high)})`;
  const half = Math.max(estimate.value - estimate.low, estimate.high - estimate.value);
  const percent = (100 * half) / estimate.value;
  return `± ${percent < 10 ? percent.toFixed(1) : Math.round(percent)} %`;
}

/** "≈ 1.02 M ± 0.4 %". */
export function estimateText(estimate: EstimateLike): string {
  return `≈ ${approximateCount(estimate.value)} ${estimateError(estimate)}`;
}
