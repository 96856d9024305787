/**
 * @module Summary statistics for repeated samples: the median is the headline, min and max show the spread a
 * shared VM adds.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median =
    n === 0
      ? Number.NaN
      : n % 2 === 1
        ? (sorted[(n - 1) / 2] as number)
        : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[n - 1] ?? Number.NaN, samples: [...samples] };
}

/** max/min − 1 as a percentage: how far apart the samples were. */
export function spreadPercent(summary: Summary): number {
  return summary.min > 0 ? (summary.max / summary.min - 1) * 100 : Number.NaN;
}
