import { DEFAULT_INSTITUTION, type Institution } from '../config/config';

/**
 * The institution as every mail and page template reads it, with `@`: `{{@institucion}}` (INSTITUTION_NAME),
 * `{{@siglas}}` (INSTITUTION_SHORT_NAME), `{{@estado}}` (STATE_NAME) and `{{@area}}` (LETTERHEAD_AREA). They come from
 * the configuration (APP_CONFIG), passed to each rendering as Handlebars data.
 */
export interface Identity {
  institucion: string;
  siglas: string;
  estado: string;
  area: string;
}

export const identityOf = (i: Omit<Institution, 'letterheadLogo'>): Identity => ({
  institucion: i.name,
  siglas: i.shortName,
  estado: i.stateName,
  area: i.letterheadArea,
});

/** Colima's CSEEE: what a template reads when nothing else is configured. */
export const DEFAULT_IDENTITY: Identity = identityOf(DEFAULT_INSTITUTION);
