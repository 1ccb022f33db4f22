// npm run bench:dashboard: section 10 (the dashboard over 1,000,000 deliveries) alone, as
// markdown. BENCH_QUICK=1: 100,000 deliveries.
import { runSection } from './lib/section';
import { dashboardReport } from './scenarios/dashboard';

runSection('bench:dashboard', dashboardReport);
