import { StaffSession } from './staff-session.entity';
import { StaffUser } from './staff-user.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const AUTH_ENTITIES = [StaffSession, StaffUser];
