import { Controller, Get, Injectable, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import { DomainError } from '../common/domain-error';
import { demoReplyLetter } from '../letters/demo-data';
import { renderSignedReplyLetter } from '../letters/renderer';
import {
  checkFields,
  checkLogo,
  type FieldErrors,
  firmanteOf,
  type LetterSettingsFields,
  LetterSettingsInvalid,
  LetterSettingsService,
  logoTooLarge,
  MAX_LOGO_BYTES,
} from '../oficios/letter-settings.service';
import { type Form, readForm } from './forms';
import type { Chrome } from './layout';
import { CsrfTokens, PageChrome, type PageRequest, seeOther, sendHtml, StaffPages } from './page-auth';
import { PageFileUpload, type PageUploadRequest } from './page-upload';
import { renderLetterhead } from './admin-letterhead.view';

type LogoRequest = PageUploadRequest;

/** The form's text fields, by their name in the form. */
const FORM_FIELDS: Record<string, keyof LetterSettingsFields> = {
  direccion1: 'direccion1',
  direccion2: 'direccion2',
  leyenda: 'leyenda',
  firmante_titulo: 'firmanteTitulo',
  firmante_nombre: 'firmanteNombre',
  firmante_cargo: 'firmanteCargo',
};

export interface LetterheadVm {
  values: Form;
  errors: Record<string, string>;
  tieneLogo: boolean;
  actualizado: { por: string; en: Date } | null;
  error: string | null;
  aviso: string | null;
}

/** The logo of the membrete: one image in «logo», up to MAX_LOGO_BYTES. */
@Injectable()
export class LogoUpload extends PageFileUpload {
  constructor(csrf: CsrfTokens) {
    super(csrf, 'logo', { fileSize: MAX_LOGO_BYTES, fields: 12, fieldSize: 1024 });
  }

  protected refusal(tooLarge: boolean): DomainError {
    return tooLarge
      ? logoTooLarge()
      : new LetterSettingsInvalid({ logo: 'Envíe una sola imagen PNG o JPEG en el campo «Logotipo».' });
  }
}

const fieldsOf = (form: Form): Partial<Record<keyof LetterSettingsFields, string>> =>
  Object.fromEntries(Object.entries(FORM_FIELDS).map(([name, key]) => [key, form[name] ?? '']));

const formOf = (f: LetterSettingsFields): Form =>
  Object.fromEntries(Object.entries(FORM_FIELDS).map(([name, key]) => [name, f[key]]));

/** Field errors keyed by the form's names. */
function formErrors(e: FieldErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key] of Object.entries(FORM_FIELDS)) if (e[key] !== undefined) out[name] = e[key];
  if (e.logo !== undefined) out.logo = e.logo;
  return out;
}

/** The membrete and signer of the letters, for administrators: edit, save, and preview a sample letter. */
@StaffPages()
@Roles('administrador')
@Controller('admin/membrete')
export class AdminLetterheadPage {
  constructor(private readonly settings: LetterSettingsService) {}

  private async vm(extra: Partial<LetterheadVm> = {}): Promise<LetterheadVm> {
    const s = await this.settings.current();
    return {
      values: formOf(s),
      errors: {},
      tieneLogo: s.logo !== null,
      actualizado: s.actualizado,
      error: null,
      aviso: null,
      ...extra,
    };
  }

  @Get()
  async show(@PageChrome() chrome: Chrome, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const aviso =
      req.query.aviso === 'guardado' ? 'Se guardó el membrete. Los oficios que se firmen desde ahora lo usan.' : null;
    sendHtml(res, renderLetterhead(chrome, await this.vm({ aviso })));
  }

  @Post()
  @UseInterceptors(LogoUpload)
  async save(@PageChrome() chrome: Chrome, @Req() req: LogoRequest, @Res() res: Response): Promise<void> {
    const form = readForm(req.body);
    try {
      if (req.uploadError) throw req.uploadError;
      const staff = chrome.staff!;
      await this.settings.save(
        fieldsOf(form),
        { upload: req.file?.buffer ?? null, quitar: form.quitar_logo === 'si' },
        { id: staff.id, nombre: staff.nombre ?? staff.usuario },
      );
      seeOther(res, '/admin/membrete?aviso=guardado');
    } catch (e) {
      await this.refuse(chrome, form, e, res);
    }
  }

  /** A sample reply letter with the form's settings, saved or not (the test mark: it is not a letter). */
  @Post('vista-previa')
  @UseInterceptors(LogoUpload)
  async preview(@PageChrome() chrome: Chrome, @Req() req: LogoRequest, @Res() res: Response): Promise<void> {
    const form = readForm(req.body);
    try {
      if (req.uploadError) throw req.uploadError;
      const fields = checkFields(fieldsOf(form));
      const current = await this.settings.current();
      const logo = req.file ? checkLogo(req.file.buffer) : form.quitar_logo === 'si' ? null : current.logo;
      const signed = await renderSignedReplyLetter(
        demoReplyLetter({ fecha: new Date(), firmante: firmanteOf(fields), testDocument: true }),
        this.settings.signer,
        { membrete: this.settings.membrete({ ...fields, logo }) },
      );
      res
        .status(200)
        .setHeader('Content-Type', 'application/pdf')
        .setHeader('Content-Disposition', 'inline; filename="vista-previa-membrete.pdf"')
        .setHeader('Cache-Control', 'no-store')
        .end(signed.pdf);
    } catch (e) {
      await this.refuse(chrome, form, e, res);
    }
  }

  private async refuse(chrome: Chrome, form: Form, e: unknown, res: Response): Promise<void> {
    if (!(e instanceof DomainError)) throw e;
    const errors = e instanceof LetterSettingsInvalid ? formErrors(e.fields) : {};
    const values = Object.fromEntries(Object.keys(FORM_FIELDS).map((k) => [k, form[k] ?? '']));
    const vm = await this.vm({ values, errors, error: 'No se guardó nada: corrija los campos marcados. ' + e.message });
    sendHtml(res, renderLetterhead(chrome, vm), e.status);
  }
}
