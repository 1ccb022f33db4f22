// npm run bench:events: section 7 of the suite (events) alone, printed as markdown.
import { runSection } from './lib/section';
import { eventsReport } from './scenarios/events';

runSection('bench:events', eventsReport);
