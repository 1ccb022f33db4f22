// npm run bench:retention: section 9 (retention and paging at scale) alone, as markdown.
// BENCH_ATTEMPTS sets the number of attempts (default 50,000,000; BENCH_QUICK=1: 3,000,000).
import { runSection } from './lib/section';
import { retentionReport } from './scenarios/retention';

runSection('bench:retention', retentionReport);
