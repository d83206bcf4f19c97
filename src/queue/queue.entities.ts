import { ProcessLease } from './process-lease.entity';

/** The queue runtime's own table: the lease of the periodic maintenance. */
export const QUEUE_ENTITIES = [ProcessLease];
