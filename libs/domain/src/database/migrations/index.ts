import { InitialSchema1764374400000 } from './1764374400000-InitialSchema';
import { Events1764979200000 } from './1764979200000-Events';
import { EventFanOutWithoutForeignKey1765065600000 } from './1765065600000-EventFanOutWithoutForeignKey';

/** Every migration, oldest first. Listed explicitly so built code and tests load the same set. */
export const MIGRATIONS = [
  InitialSchema1764374400000,
  Events1764979200000,
  EventFanOutWithoutForeignKey1765065600000,
];
