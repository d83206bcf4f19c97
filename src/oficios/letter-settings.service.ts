import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PDFDocument from 'pdfkit';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig, type Institution, MAX_LOGO_BYTES } from '../config/config';
import type { Membrete, Persona } from '../letters/renderer';
import type { PdfSigner } from '../letters/signer';
import { LetterSettings } from './entities/letter-settings.entity';
import { FILE_STORE, type FileStore } from './file-store';
import { PDF_SIGNER } from './pdf-signer.provider';
import { detectType } from './upload';

const ROW_ID = 'membrete';
export { MAX_LOGO_BYTES };

/** What the form edits (the logo apart). */
export interface LetterSettingsFields {
  direccion1: string;
  direccion2: string;
  leyenda: string;
  firmanteTitulo: string;
  firmanteNombre: string;
  firmanteCargo: string;
}

/** The settings as letters use them, and who changed them last. */
export interface LetterSettingsView extends LetterSettingsFields {
  logo: Buffer | null;
  actualizado: { por: string; en: Date } | null;
}

/** Field → Spanish reason; empty when the form is valid. */
export type FieldErrors = Partial<Record<keyof LetterSettingsFields | 'logo', string>>;

const LIMITS: Record<keyof LetterSettingsFields, [string, number, boolean]> = {
  direccion1: ['Dirección (primera línea)', 110, false],
  direccion2: ['Dirección (segunda línea)', 110, false],
  leyenda: ['Leyenda del año', 160, false],
  firmanteTitulo: ['Título del firmante', 20, false],
  firmanteNombre: ['Nombre del firmante', 120, true],
  firmanteCargo: ['Cargo del firmante', 160, true],
};

export class LetterSettingsInvalid extends DomainError {
  constructor(
    readonly fields: FieldErrors,
    status: 400 | 413 = 400,
  ) {
    super('DATOS_INVALIDOS', Object.values(fields).join(' '), status);
  }
}

export const logoTooLarge = (): LetterSettingsInvalid =>
  new LetterSettingsInvalid(
    { logo: `El logotipo pasa de ${MAX_LOGO_BYTES / 1024} KB; redúzcalo e intente de nuevo.` },
    413,
  );

/** Trims and checks the fields; throws LetterSettingsInvalid with one Spanish reason per bad field. */
export function checkFields(input: Partial<Record<keyof LetterSettingsFields, string>>): LetterSettingsFields {
  const errors: FieldErrors = {};
  const out = {} as LetterSettingsFields;
  for (const [key, [label, max, required]] of Object.entries(LIMITS) as [
    keyof LetterSettingsFields,
    [string, number, boolean],
  ][]) {
    const v = (input[key] ?? '').replace(/\s+/g, ' ').trim();
    if (required && v === '') errors[key] = `Escriba el campo «${label}».`;
    else if (v.length > max) errors[key] = `«${label}» admite hasta ${max} caracteres.`;
    out[key] = v;
  }
  if (Object.keys(errors).length) throw new LetterSettingsInvalid(errors);
  return out;
}

/** A logo upload: PNG or JPEG by its first bytes, up to MAX_LOGO_BYTES, and readable by the PDF renderer. */
export function checkLogo(data: Buffer): Buffer {
  const fail = (m: string): never => {
    throw new LetterSettingsInvalid({ logo: m });
  };
  if (data.length > MAX_LOGO_BYTES) throw logoTooLarge();
  const type = detectType(data);
  if (type !== 'image/png' && type !== 'image/jpeg') fail('El logotipo debe ser una imagen PNG o JPEG.');
  try {
    (new PDFDocument({ autoFirstPage: false }) as unknown as { openImage(src: Buffer): unknown }).openImage(data);
  } catch {
    fail('No se pudo leer la imagen del logotipo; guárdela de nuevo como PNG o JPEG.');
  }
  return data;
}

/** The letterhead and signer of the letters (/admin/membrete); the letter processors read them at signing time. */
@Injectable()
export class LetterSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PDF_SIGNER) readonly signer: PdfSigner,
  ) {}

  private get repo() {
    return this.ds.getRepository(LetterSettings);
  }

  /**
   * The saved settings, or the defaults: the certificate's name and the configured position, the configured logo
   * (LETTERHEAD_LOGO; none by default).
   */
  async current(): Promise<LetterSettingsView> {
    const row = await this.repo.findOneBy({ id: ROW_ID });
    if (row === null) {
      return {
        direccion1: '',
        direccion2: '',
        leyenda: '',
        firmanteTitulo: '',
        firmanteNombre: this.signer.certificate.subject.nombre,
        firmanteCargo: this.config.signerPosition,
        logo: this.config.institution.letterheadLogo,
        actualizado: null,
      };
    }
    const [direccion1 = '', direccion2 = ''] = row.direccion.split('\n');
    return {
      direccion1,
      direccion2,
      leyenda: row.leyenda,
      firmanteTitulo: row.firmanteTitulo,
      firmanteNombre: row.firmanteNombre,
      firmanteCargo: row.firmanteCargo,
      logo: row.logoKey === null ? null : await this.files.read(row.logoKey),
      actualizado: { por: row.updatedByNombre, en: row.updatedAt },
    };
  }

  /**
   * Saves the form: a new logo replaces the old one, `quitarLogo` removes it, otherwise it stays. Everything is
   * checked first, so a bad form saves nothing.
   */
  async save(
    fields: Partial<Record<keyof LetterSettingsFields, string>>,
    logo: { upload: Buffer | null; quitar: boolean },
    by: { id: string; nombre: string },
    now = new Date(),
  ): Promise<void> {
    const clean = checkFields(fields);
    const data = logo.upload === null ? null : checkLogo(logo.upload);
    const previous = await this.repo.findOneBy({ id: ROW_ID });
    let logoKey = logo.quitar ? null : (previous?.logoKey ?? null);
    // The first save keeps the configured logo (LETTERHEAD_LOGO) the form showed, unless it was removed or replaced.
    const kept = previous === null && !logo.quitar ? this.config.institution.letterheadLogo : null;
    const toStore = data ?? kept;
    if (toStore !== null) logoKey = (await this.files.save(toStore)).key;
    await this.repo.save({
      id: ROW_ID,
      logoKey,
      direccion: [clean.direccion1, clean.direccion2].filter((l) => l !== '').join('\n'),
      leyenda: clean.leyenda,
      firmanteTitulo: clean.firmanteTitulo,
      firmanteNombre: clean.firmanteNombre,
      firmanteCargo: clean.firmanteCargo,
      updatedBy: by.id,
      updatedByNombre: by.nombre.slice(0, 200),
      updatedAt: now,
    });
  }

  /** The letterhead a renderer draws: the settings, under the configured institution's names and place. */
  membrete(s: Pick<LetterSettingsView, 'logo' | 'leyenda' | 'direccion1' | 'direccion2'>): Membrete {
    return membreteOf(s, this.config.institution);
  }
}

/** The letterhead a renderer draws from the settings and the institution (INSTITUTION_NAME, LETTERHEAD_AREA, …). */
export function membreteOf(
  s: Pick<LetterSettingsView, 'logo' | 'leyenda' | 'direccion1' | 'direccion2'>,
  institution: Pick<Institution, 'name' | 'letterheadArea' | 'letterPlace'>,
): Membrete {
  return {
    logo: s.logo,
    leyenda: s.leyenda,
    direccion: [s.direccion1, s.direccion2].filter((l) => l !== ''),
    institucion: institution.name,
    area: institution.letterheadArea,
    lugar: institution.letterPlace,
  };
}

/** The signer printed at the foot of a reply letter: «Mtro. Luis Gómez», and the position. */
export function firmanteOf(s: LetterSettingsFields): Persona {
  return { nombre: [s.firmanteTitulo, s.firmanteNombre].filter((p) => p !== '').join(' '), cargo: s.firmanteCargo };
}
