/**
 * How long a batch of n rows takes: time = a * rows + b, fitted by least squares over the
 * most recent batches (like BentoML's dispatcher), seeded by the warm-up runs so the first
 * requests already get a sensible estimate. Recent batches weigh more than old ones, so the
 * fit follows a machine that gets busier or quieter.
 */
export class CostModel {
  private readonly rows: number[] = [];
  private readonly times: number[] = [];
  private next = 0;
  private slopeMs = 0;
  private interceptMs = 1;

  constructor(private readonly capacity = 64) {}

  /** Records one batch: `rows` rows took `ms` milliseconds. */
  observe(rows: number, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || rows < 1) return;
    if (this.rows.length < this.capacity) {
      this.rows.push(rows);
      this.times.push(ms);
    } else {
      this.rows[this.next] = rows;
      this.times[this.next] = ms;
    }
    this.next = (this.next + 1) % this.capacity;
    this.fit();
  }

  /** Predicted time of a batch of `rows` rows, in ms. */
  predictMs(rows: number): number {
    return Math.max(0, this.slopeMs * rows + this.interceptMs);
  }

  /** Batches observed (0: nothing measured, the prediction is the seed). */
  get samples(): number {
    return this.rows.length;
  }

  get parameters(): { readonly slopeMs: number; readonly interceptMs: number } {
    return { slopeMs: this.slopeMs, interceptMs: this.interceptMs };
  }

  private fit(): void {
    const count = this.rows.length;
    // Weights grow with recency: the newest sample counts `count` times the oldest.
    let sumW = 0;
    let sumX = 0;
    let sumY = 0;
    let sumXX = 0;
    let sumXY = 0;
    for (let age = 0; age < count; age += 1) {
      const index = (this.next - 1 - age + count * 2) % count;
      const weight = count - age;
      const x = this.rows[index] ?? 0;
      const y = this.times[index] ?? 0;
      sumW += weight;
      sumX += weight * x;
      sumY += weight * y;
      sumXX += weight * x * x;
      sumXY += weight * x * y;
    }
    const meanX = sumX / sumW;
    const meanY = sumY / sumW;
    const varX = sumXX / sumW - meanX * meanX;
    if (varX > 1e-9) {
      // A batch never gets cheaper with more rows; clamp noise that says otherwise.
      this.slopeMs = Math.max(0, (sumXY / sumW - meanX * meanY) / varX);
      this.interceptMs = Math.max(0, meanY - this.slopeMs * meanX);
    } else {
      // All batches had the same size: keep the slope, move the intercept to match.
      this.interceptMs = Math.max(0, meanY - this.slopeMs * meanX);
    }
  }
}
