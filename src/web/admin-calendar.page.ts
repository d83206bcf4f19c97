import { Body, Controller, Get, Injectable, Param, Post, Query, Res } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import { DomainError } from '../common/domain-error';
import { isCalendarDate, localDate, usualInstitutionalDays, weekdaysBetween } from '../engine/business-calendar';
import { type CalendarDay, CalendarService } from '../engine/calendar.service';
import { fechaIso as dmy } from './format';
import { type FieldError, type Form, dataOf, formErrors, readForm, validateDto } from './forms';
import type { Chrome } from './layout';
import { PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { renderCalendar } from './admin-calendar.view';

const YMD = /^\d{4}-\d{2}-\d{2}$/;
/** The longest period one form adds: a summer vacation is about six weeks. */
const MAX_PERIOD_DAYS = 92;

/** The form to add días inhábiles: one day, or a period (`hasta`). */
export class DiasInhabilesDto {
  @IsString({ message: 'Escriba la fecha «Desde».' })
  @Matches(YMD, { message: 'La fecha «Desde» va como AAAA-MM-DD.' })
  desde!: string;

  @IsOptional()
  @IsString()
  @Matches(YMD, { message: 'La fecha «Hasta» va como AAAA-MM-DD.' })
  hasta?: string;

  @IsString({ message: 'Escriba la descripción.' })
  @MinLength(3, { message: 'Escriba la descripción del día inhábil (al menos 3 caracteres).' })
  @MaxLength(120, { message: 'La descripción admite hasta 120 caracteres.' })
  descripcion!: string;
}

export interface CalendarVm {
  anio: number;
  dias: CalendarDay[];
  /** Usual institutional days of the year not yet in the table, offered with one click. */
  sugerencias: { desde: string; hasta: string; descripcion: string }[];
  values: Form;
  error: string | null;
  /** The fields the last submission got wrong, shown beside each. */
  campos: FieldError[];
  aviso: string | null;
}

/** The add form's fields by their labels on the page. */
const LABELS = { desde: 'Desde', hasta: 'Hasta (solo para un periodo)', descripcion: 'Descripción' };

const AVISOS: Record<string, string> = {
  eliminado: 'Se quitó el día del calendario. Las fechas de vencimiento nuevas ya no lo saltan.',
};

/** A refusal of the form; `campo` places it beside that field. */
const invalid = (message: string, campo?: keyof typeof LABELS): DomainError =>
  new DomainError('DATOS_INVALIDOS', message, 400, campo ? { campo } : undefined);

/** The year a page asks for (`?anio=`), the current one in Colima when absent. */
export function yearOf(v: unknown, now = new Date()): number {
  if (v === undefined || v === '') return Number(localDate(now).slice(0, 4));
  const n = typeof v === 'string' && /^\d{4}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 2000 && n <= 2100)) throw invalid('El año debe ser un número de cuatro cifras entre 2000 y 2100.');
  return n;
}

/** The días inhábiles (dia_inhabil) for administrators: list a year, add a day or a period, remove a day. */
@Injectable()
export class AdminCalendarService {
  constructor(private readonly calendar: CalendarService) {}

  async view(anio: number, extra: Partial<CalendarVm> = {}): Promise<CalendarVm> {
    const dias = await this.calendar.year(anio);
    const registered = new Set(dias.filter((d) => d.registrado).map((d) => d.fecha));
    const sugerencias = usualInstitutionalDays(anio).filter((s) =>
      weekdaysBetween(s.desde, s.hasta).some((f) => !registered.has(f)),
    );
    return { anio, dias, sugerencias, values: {}, error: null, campos: [], aviso: null, ...extra };
  }

  /** Validates the form and adds its weekdays; a bad form comes back with the Spanish reason and nothing saved. */
  async add(form: Form): Promise<{ vm: CalendarVm; status: number }> {
    const values = dataOf(form, ['desde', 'hasta', 'descripcion']);
    let anio: number;
    try {
      anio = yearOf(form.anio || values.desde?.slice(0, 4));
    } catch {
      anio = yearOf(undefined);
    }
    try {
      const clean = Object.fromEntries(
        Object.entries(values)
          .map(([k, v]): [string, string] => [k, v.trim()])
          .filter(([, v]) => v !== ''),
      );
      const dto = await validateDto(DiasInhabilesDto, clean);
      const hasta = dto.hasta ?? dto.desde;
      for (const [campo, f] of [
        ['desde', dto.desde],
        ['hasta', hasta],
      ] as const)
        if (!isCalendarDate(f))
          throw invalid(
            `La fecha «${campo === 'desde' ? 'Desde' : 'Hasta'}» (${f}) no existe en el calendario.`,
            campo,
          );
      if (hasta < dto.desde) throw invalid('La fecha «Hasta» no puede ser anterior a «Desde».', 'hasta');
      const span = (Date.parse(hasta) - Date.parse(dto.desde)) / 86400_000 + 1;
      if (span > MAX_PERIOD_DAYS)
        throw invalid(
          `Un periodo puede abarcar hasta ${MAX_PERIOD_DAYS} días; divídalo en partes más cortas.`,
          'hasta',
        );
      const fechas = weekdaysBetween(dto.desde, hasta);
      if (!fechas.length)
        throw invalid('Sábados y domingos ya son inhábiles: elija al menos un día de lunes a viernes.', 'desde');
      const r = await this.calendar.addDays(fechas.map((fecha) => ({ fecha, descripcion: dto.descripcion })));
      const year = Number(dto.desde.slice(0, 4));
      const aviso =
        (r.agregados.length
          ? `Se agregaron ${r.agregados.length} día${r.agregados.length === 1 ? '' : 's'} inhábil${r.agregados.length === 1 ? '' : 'es'} (${dto.descripcion}).`
          : 'No se agregó ningún día.') +
        (r.existentes.length ? ` Ya estaban en el calendario: ${r.existentes.map(dmy).join(', ')}.` : '');
      return { vm: await this.view(year, { aviso }), status: r.agregados.length ? 201 : 200 };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return { vm: await this.view(anio, { values, ...formErrors(e, LABELS) }), status: e.status };
    }
  }

  async remove(fecha: string): Promise<void> {
    if (!YMD.test(fecha) || !isCalendarDate(fecha)) throw new DomainError('NO_ENCONTRADO', 'Esa fecha no existe.', 404);
    if (!(await this.calendar.removeDay(fecha)))
      throw new DomainError('NO_ENCONTRADO', `El ${dmy(fecha)} no está en el calendario de días inhábiles.`, 404);
  }
}

@StaffPages()
@Roles('administrador')
@Controller('admin/calendario')
export class AdminCalendarPage {
  constructor(private readonly pages: AdminCalendarService) {}

  @Get()
  async show(
    @PageChrome() chrome: Chrome,
    @Query('anio') anio: unknown,
    @Query('aviso') aviso: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const vm = await this.pages.view(yearOf(anio), {
      aviso: typeof aviso === 'string' ? (AVISOS[aviso] ?? null) : null,
    });
    sendHtml(res, renderCalendar(chrome, vm));
  }

  @Post()
  async add(@PageChrome() chrome: Chrome, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const { vm, status } = await this.pages.add(readForm(body));
    sendHtml(res, renderCalendar(chrome, vm), status);
  }

  @Post(':fecha/eliminar')
  async remove(@Param('fecha') fecha: string, @Res() res: Response): Promise<void> {
    await this.pages.remove(fecha);
    seeOther(res, `/admin/calendario?anio=${fecha.slice(0, 4)}&aviso=eliminado`);
  }
}
