// Benchmarks that need more than the database: HTTP registration, export, Chromium, server RSS.
// Each is added as the piece it measures exists.
import type { Dataset } from './dataset';
import type { Row } from './db-benches';

export async function extraBenches(_ds: Dataset, _want: (name: string) => boolean): Promise<Row[]> {
  return [];
}
