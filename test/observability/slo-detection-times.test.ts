// Detection times of the SLO alarms at several error ratios, simulated; `SLO_BENCH_WRITE=1 npx jest
// test/observability/slo-detection-times` rewrites the slo-detection section of BENCHMARKS.md.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { detect, sloFixture } from '../support/metric-math-scenarios';
import { detectionRows, detectionSection, recordedRows, writeSection } from '../support/metric-math-report';

const BENCHMARKS = join(__dirname, '..', '..', 'BENCHMARKS.md');
const RATIOS = [1, 0.1, 0.05, 0.02, 0.01, 0.006, 0.001];

describe('detection times against a 99.5% availability SLO', () => {
  const fixture = sloFixture();
  const started = performance.now();
  const runs = RATIOS.map((ratio) => detect(fixture, ratio));
  const elapsed = performance.now() - started;

  test('are what the burn-rate arithmetic predicts (minutes from the onset)', () => {
    // a tier with window W (minutes) and threshold k enters ALARM once r x min(t, W) / W > k x 0.5%
    expect(detectionRows(runs)).toEqual([
      '| 100% | 200x | 5 | 11 | 8 | 5 (FastPage) | suppressed (page open) |',
      '| 10% | 20x | 44 | 109 | 73 | 44 (FastPage) | suppressed (page open) |',
      '| 5% | 10x | - | 217 | 145 | 217 (SlowPage) | suppressed (page open) |',
      '| 2% | 4x | - | - | 361 | - | 481 |',
      '| 1% | 2x | - | - | 721 | - | 841 |',
      '| 0.6% | 1.2x | - | - | 1201 | - | 1321 |',
      '| 0.1% | 0.2x | - | - | - | - | - |',
    ]);
  });

  test('match the table in BENCHMARKS.md', () => {
    if (process.env.SLO_BENCH_WRITE === '1') writeSection(BENCHMARKS, detectionSection(runs, elapsed));
    const recorded = recordedRows(BENCHMARKS);
    if (recorded !== undefined) expect(recorded).toEqual(detectionRows(runs));
  });
});
