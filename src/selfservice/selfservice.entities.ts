import { OpenSelfServiceRequest } from './entities/open-request.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const SELFSERVICE_ENTITIES = [OpenSelfServiceRequest];
