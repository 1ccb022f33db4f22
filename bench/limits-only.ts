// npm run bench:limits: section 8 of the suite (endpoint limits) alone, printed as markdown.
import { runSection } from './lib/section';
import { limitsReport } from './scenarios/limits';

runSection('bench:limits', limitsReport);
