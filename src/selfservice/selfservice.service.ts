import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Cuenta } from '../catalog/entities/cuenta.entity';
import { Trabajador } from '../catalog/entities/trabajador.entity';
import { normalizeCurp } from '../catalog/validation/curp';
import { DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Actor } from '../engine/actor';
import { EngineService } from '../engine/engine.service';
import { ProcedureCase } from '../engine/entities/case.entity';
import { maskEmail } from '../letters/verification';

export type SelfServiceProcedure = 'personal-alta' | 'personal-restablecer';

export interface SelfServiceView {
  tramite: string;
  token: string;
  estado: string;
  concluido: boolean;
  resultado: string | null;
  /** Guía paso 7: the worker's data, shown once CURP and CURT match (the alternate address masked). */
  trabajador: { nombre: string; correoAlterno: string | null } | null;
  /** Paso 18: the institutional address, once the account exists. */
  correoInstitucional: string | null;
  /** Spanish text for the screen: what happened and what to do next. */
  mensaje: string;
  acciones: string[];
}

const MESSAGES: Record<string, string> = {
  inconsistencia: 'La CURP y la CURT no coinciden con un trabajador activo en Capital Humano. Revíselas e intente de nuevo.',
  datos_incorrectos:
    'Los datos no coincidieron después de varios intentos. Verifique su CURP y CURT en su talón de pago o acuda a Capital Humano para actualizar su información.',
  sin_correo_alterno:
    'No tiene un correo electrónico alterno registrado en Capital Humano, al que se envían los datos de acceso. Acuda a Capital Humano (o a su centro de trabajo) para registrarlo y vuelva a intentarlo.',
  cuenta_existente: 'Usted ya tiene un correo institucional personal. Si olvidó la contraseña, use la opción "Restablecer mi contraseña".',
  sin_cuenta: 'Usted aún no tiene un correo institucional personal. Use la opción "Obtener mi correo institucional".',
  cuenta_bloqueada:
    'Su cuenta de correo institucional está bloqueada, por eso no es posible restablecer su contraseña y no se le envió ningún ' +
    'mensaje. Para solicitar el desbloqueo, su área o centro de trabajo debe enviar un oficio a la Subdirección de ' +
    'Sistemas y Servicios Telemáticos.',
  confirmacion: 'Revise sus datos y confirme para continuar.',
  no_confirmada: 'No se realizó ningún cambio. Puede cerrar esta página.',
  expirada: 'La solicitud venció por inactividad. Inicie de nuevo.',
  en_proceso: 'Su solicitud está en proceso; en unos momentos recibirá un mensaje en su correo alterno.',
  creada:
    'Su cuenta fue creada. Le enviamos a su correo alterno un enlace (válido 24 horas) para establecer su contraseña. Lea la información y cierre esta página.',
  restablecida:
    'Su contraseña fue restablecida. Consulte su correo electrónico alterno: le enviamos un enlace (válido 24 horas) para establecer una nueva contraseña.',
  incidente: 'No fue posible completar el trámite en este momento; la Subjefatura de Sistemas ya fue notificada y le avisará por correo.',
  cancelada: 'El trámite fue cancelado por la Subjefatura de Sistemas.',
};

/**
 * Guía 5.1.1 and 5.1.2: the worker's self-service. Not signed in: the case itself is the session, proven by a token
 * (an HMAC of the case id with SECRET_KEY) handed back with the first answer.
 */
@Injectable()
export class SelfServiceService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: EngineService,
  ) {}

  async start(procedure: SelfServiceProcedure, curp: string, curt: string): Promise<SelfServiceView> {
    const caseId = randomUUID();
    const identity = await this.identify(curp, curt);
    await this.engine.start(procedure, this.actor(identity.curp), {}, { caseId, startEvent: identity });
    return this.view(caseId);
  }

  /** Paso 6 "Regresa a la actividad No. 2": the worker types CURP and CURT again on the same case. */
  async retry(caseId: string, token: string, curp: string, curt: string): Promise<SelfServiceView> {
    const row = await this.authorized(caseId, token);
    const identity = await this.identify(curp, curt);
    await this.engine.send(caseId, { type: 'IDENTIFICAR', ...identity }, this.actor(row.curp ?? identity.curp));
    return this.view(caseId);
  }

  /** Paso 13: confirms (or not) the creation / reset. */
  async confirm(caseId: string, token: string, confirma: boolean): Promise<SelfServiceView> {
    const row = await this.authorized(caseId, token);
    await this.engine.send(caseId, { type: confirma ? 'CONFIRMAR' : 'NO_CONFIRMAR' }, this.actor(row.curp));
    return this.view(caseId);
  }

  async status(caseId: string, token: string): Promise<SelfServiceView> {
    await this.authorized(caseId, token);
    return this.view(caseId);
  }

  tokenFor(caseId: string): string {
    return createHmac('sha256', this.config.secretKey).update(`autoservicio:${caseId}`).digest('base64url');
  }

  private actor(curp: string | null): Actor {
    return { id: `curp:${curp ?? 'desconocida'}`, role: 'trabajador', curp };
  }

  private async authorized(caseId: string, token: string): Promise<ProcedureCase> {
    const expected = Buffer.from(this.tokenFor(caseId));
    const given = Buffer.from(token ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound('La solicitud');
    const row = await this.ds.getRepository(ProcedureCase).findOne({ where: { id: caseId } });
    if (!row || !row.procedureId.startsWith('personal-')) throw notFound('La solicitud');
    return row;
  }

  /**
   * Paso 3 "Valida CURP y CURT" against Capital Humano; the machine decides what follows (pasos 4-12). The CURT is
   * compared here and goes no further: IDENTIFICAR carries only whether it matched, so no movement or snapshot holds it.
   */
  private async identify(curpRaw: string, curtRaw: string) {
    const curp = normalizeCurp(curpRaw);
    const curt = curtRaw.trim().toUpperCase();
    const t = await this.ds.getRepository(Trabajador).findOne({ where: { curp } });
    const found = !!t && t.curt.toUpperCase() === curt;
    const cuenta = found ? await this.ds.getRepository(Cuenta).findOne({ where: { tipo: 'personal', titularCurp: curp } }) : null;
    return {
      curp,
      found,
      active: found && t.activo,
      hasAlternateEmail: found && !!t.correoAlterno,
      nombre: found ? [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' ') : null,
      cuentaId: cuenta?.id ?? null,
      cuentaBloqueada: cuenta?.estado === 'bloqueada',
    };
  }

  private async view(caseId: string): Promise<SelfServiceView> {
    const row = await this.ds.getRepository(ProcedureCase).findOneOrFail({ where: { id: caseId } });
    const ctx = (JSON.parse(row.snapshot) as { context?: { identidad?: { found?: boolean; curp?: string; nombre?: string | null }; cuenta?: { address?: string | null } | null } }).context;
    let trabajador: SelfServiceView['trabajador'] = null;
    if (ctx?.identidad?.found && ctx.identidad.curp) {
      const t = await this.ds.getRepository(Trabajador).findOne({ where: { curp: ctx.identidad.curp } });
      if (t) trabajador = { nombre: ctx.identidad.nombre ?? t.nombre, correoAlterno: t.correoAlterno ? maskEmail(t.correoAlterno) : null };
    }
    const key = row.status === 'concluido' ? (row.outcome ?? '') : row.status === 'incidente' ? 'incidente' : row.state === 'confirmacion' || row.state === 'inconsistencia' ? row.state : 'en_proceso';
    const acciones = row.status !== 'activo' ? [] : row.state === 'confirmacion' ? ['confirmar', 'no_confirmar'] : row.state === 'inconsistencia' ? ['identificar'] : [];
    if (!MESSAGES[key]) throw new DomainError('ESTADO_DESCONOCIDO', 'No se pudo leer el estado de su solicitud.', 422);
    return {
      tramite: row.id,
      token: this.tokenFor(row.id),
      estado: row.state,
      concluido: row.status === 'concluido',
      resultado: row.outcome,
      trabajador,
      correoInstitucional: row.status === 'concluido' ? (ctx?.cuenta?.address ?? null) : null,
      mensaje: MESSAGES[key],
      acciones,
    };
  }
}
