import { InitialSchema1764374400000 } from './1764374400000-InitialSchema';

/** Every migration, oldest first. Listed explicitly so built code and tests load the same set. */
export const MIGRATIONS = [InitialSchema1764374400000];
