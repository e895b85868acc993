/**
 * A latency histogram with logarithmic buckets (1 % wide, from 1 µs to about 40 s): cheap to
 * record in a load generator, sent to the parent as sparse `[bucket, count]` pairs and merged
 * there, so percentiles cover every sample of every generator process.
 */

/** Buckets per factor e (so each bucket is 1 % wide). */
const BUCKETS_PER_E = 1 / Math.log(1.01);
/** Number of buckets: up to e^(1760 / 100.5) µs ≈ 40 s. */
const BUCKET_COUNT = 1_760;

/** Sparse bucket counts: `[bucket, count]` pairs. */
export type SparseCounts = Array<[number, number]>;

/** Latency samples in microseconds, bucketed. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #total = 0;

  /** Number of samples. */
  get total(): number {
    return this.#total;
  }

  /** Records one latency in µs (values under 1 µs count as 1 µs; over the range, in the last bucket). */
  record(micros: number): void {
    const bucket = micros <= 1 ? 0 : Math.min(BUCKET_COUNT - 1, Math.floor(Math.log(micros) * BUCKETS_PER_E));
    this.#counts[bucket]!++;
    this.#total++;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }

  /** The non-empty buckets. */
  sparse(): SparseCounts {
    const out: SparseCounts = [];
    for (let i = 0; i < BUCKET_COUNT; i++) if (this.#counts[i]! > 0) out.push([i, this.#counts[i]!]);
    return out;
  }

  /** Adds another histogram's sparse counts. */
  merge(counts: SparseCounts): void {
    for (const [bucket, count] of counts) {
      this.#counts[bucket]! += count;
      this.#total += count;
    }
  }

  /** The `q` quantile (0..1) in µs (the bucket's geometric middle), or NaN without samples. */
  quantile(q: number): number {
    if (this.#total === 0) return Number.NaN;
    const rank = q * this.#total;
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.exp((i + 0.5) / BUCKETS_PER_E);
    }
    return Math.exp((BUCKET_COUNT - 0.5) / BUCKETS_PER_E);
  }
}
