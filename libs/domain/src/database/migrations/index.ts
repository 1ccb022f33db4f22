import { InitialSchema1764374400000 } from './1764374400000-InitialSchema';
import { Events1764979200000 } from './1764979200000-Events';

/** Every migration, oldest first. Listed explicitly so built code and tests load the same set. */
export const MIGRATIONS = [InitialSchema1764374400000, Events1764979200000];
