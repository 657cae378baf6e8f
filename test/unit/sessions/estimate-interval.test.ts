import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../electron/core/sessions/sampled-stats';
import { approximateCount, estimateError, estimateText } from '../../../shared/estimate-format';

describe('the 95 % interval of a sampled count (Wilson score interval)', () => {
  it('matches the published values of the Wilson interval', () => {
    // Wilson (1927), as tabulated by Newcombe (1998), Statistics in Medicine 17: 857–872, table II.
    const fifteenOfOneFortyEight = wilsonInterval(15, 148);
    expect(fifteenOfOneFortyEight.low).toBeCloseTo(0.0624, 4);
    expect(fifteenOfOneFortyEight.high).toBeCloseTo(0.1605, 4);
    const zeroOfTwenty = wilsonInterval(0, 20);
    expect(zeroOfTwenty.low).toBe(0);
    expect(zeroOfTwenty.high).toBeCloseTo(0.1611, 4);
  });

  it('is never empty or outside [0, 1], and says nothing without draws', () => {
    expect(wilsonInterval(20, 20).high).toBe(1);
    expect(wilsonInterval(20, 20).low).toBeGreaterThan(0.8);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('how an estimate is written', () => {
  it('rounds to three significant digits and gives the larger half of the interval as ± %', () => {
    expect(estimateText({ value: 1_021_400, low: 1_017_300, high: 1_025_500 })).toBe('≈ 1.02 M ± 0.4 %');
    expect(estimateText({ value: 303, low: 297, high: 309 })).toBe('≈ 303 ± 2.0 %');
    expect(estimateText({ value: 50, low: 20, high: 90 })).toBe('≈ 50 ± 80 %');
    expect(estimateError({ value: 0, low: 0, high: 1_200 })).toBe('(at most 1,200)');
    expect(approximateCount(12_345)).toBe('12.3 k');
    expect(approximateCount(2_500_000_000)).toBe('2.5 G');
  });
});
