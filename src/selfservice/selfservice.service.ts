import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogRecords } from '../catalog/catalog-records';
import { normalizeCurp } from '../validation/curp';
import { DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inTransaction } from '../database/transaction';
import { isUniqueViolation } from '../database/unique-violation';
import type { Actor } from '../auth/actor';
import { type CaseEnd, EngineService } from '../engine/engine.service';
import { type CaseRecord, CaseRecords } from '../engine/case-records';
import { maskEmail } from '../letters/verification';
import { OpenSelfServiceRequest } from './entities/open-request.entity';

export type SelfServiceProcedure = 'personal-alta' | 'personal-restablecer';

export interface SelfServiceView {
  tramite: string;
  token: string;
  /** True when this request found the worker's open one and returns it: no second case was opened. */
  existente: boolean;
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
  inconsistencia:
    'La CURP y la CURT no coinciden con un trabajador activo en Capital Humano. Revíselas e intente de nuevo.',
  datos_incorrectos:
    'Los datos no coincidieron después de varios intentos. Verifique su CURP y CURT en su talón de pago o acuda a Capital Humano para actualizar su información.',
  sin_correo_alterno:
    'No tiene un correo electrónico alterno registrado en Capital Humano, al que se envían los datos de acceso. Acuda a Capital Humano (o a su centro de trabajo) para registrarlo y vuelva a intentarlo.',
  cuenta_existente:
    'Usted ya tiene un correo institucional personal. Si olvidó la contraseña, use la opción "Restablecer mi contraseña".',
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
  incidente:
    'No fue posible completar el trámite en este momento; la Subjefatura de Sistemas ya fue notificada y le avisará por correo.',
  cancelada: 'El trámite fue cancelado por la Subjefatura de Sistemas.',
};

/** The machine's "¿Los datos son correctos?" (identidadValida): only then does a case hold the worker's place. */
const identifies = (identity: { found: boolean; active: boolean }): boolean => identity.found && identity.active;

/** The answer to the loser of two answers given at once (two tabs, a double click), or to a late one. */
const answeredMeanwhile = (): DomainError =>
  new DomainError(
    'VERSION_CAMBIO',
    'Su solicitud cambió desde que la consultó (se respondió desde otra ventana o pestaña, o venció); no se hizo nada más. Consulte su estado actual.',
    409,
  );

/**
 * Guía 5.1.1 and 5.1.2: the worker's self-service. Not signed in: the case itself is the session, proven by a token
 * (an HMAC of the case id with SECRET_KEY) handed back with the first answer.
 */
@Injectable()
export class SelfServiceService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly engine: EngineService,
    private readonly cases: CaseRecords,
    private readonly catalog: CatalogRecords,
  ) {}

  /**
   * Paso 2-3: a worker identified by CURP + CURT who already has a request of this procedure open (another tab, a
   * second click, an earlier visit) gets that request back, told so, and no second case is opened.
   */
  async start(procedure: SelfServiceProcedure, curp: string, curt: string): Promise<SelfServiceView> {
    const caseId = randomUUID();
    const identity = await this.identify(curp, curt);
    const open = (em?: EntityManager) =>
      this.engine.start(procedure, this.actor(identity.curp), {}, { caseId, startEvent: identity, em });
    if (!identifies(identity)) {
      await open();
      return this.view(caseId);
    }
    const holder = await this.claim(procedure, identity.curp, caseId, open);
    return holder ? this.view(holder, true) : this.view(caseId);
  }

  /** Paso 6 "Regresa a la actividad No. 2": the worker types CURP and CURT again on the same case. */
  async retry(caseId: string, token: string, curp: string, curt: string): Promise<SelfServiceView> {
    const row = await this.authorized(caseId, token);
    if (row.status !== 'activo' || row.state !== 'inconsistencia') throw answeredMeanwhile();
    const identity = await this.identify(curp, curt);
    let claimed = false;
    if (identifies(identity)) {
      // The worker is identified now: this case takes the worker's place, unless another request of theirs has it.
      const holder = await this.claim(row.procedureId, identity.curp, caseId);
      if (holder) return this.view(holder, true);
      claimed = true;
    }
    try {
      await this.send(row, { type: 'IDENTIFICAR', ...identity }, this.actor(row.curp ?? identity.curp));
    } catch (e) {
      if (claimed) await this.releaseIfUnidentified(caseId);
      throw e;
    }
    return this.view(caseId);
  }

  /** Paso 13: confirms (or not) the creation / reset. Two answers at once: one goes ahead, the other gets a 409. */
  async confirm(caseId: string, token: string, confirma: boolean): Promise<SelfServiceView> {
    const row = await this.authorized(caseId, token);
    if (row.status !== 'activo' || row.state !== 'confirmacion') throw answeredMeanwhile();
    await this.send(row, { type: confirma ? 'CONFIRMAR' : 'NO_CONFIRMAR' }, this.actor(row.curp));
    return this.view(caseId);
  }

  async status(caseId: string, token: string): Promise<SelfServiceView> {
    await this.authorized(caseId, token);
    return this.view(caseId);
  }

  /** In the transaction that ends a 5.1.x case, the worker's place is freed: their next request opens a new case. */
  onModuleInit(): void {
    this.engine.onCaseEnd((em, end) => this.release(em, end));
  }

  tokenFor(caseId: string): string {
    return createHmac('sha256', this.config.secretKey).update(`autoservicio:${caseId}`).digest('base64url');
  }

  /** One transition on the version the worker's request read: a concurrent answer makes this one a 409. */
  private async send(
    row: Pick<CaseRecord, 'id' | 'version'>,
    event: { type: string; [k: string]: unknown },
    actor: Actor,
  ): Promise<void> {
    try {
      await this.engine.send(row.id, event, actor, { expectedVersion: row.version });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'VERSION_CAMBIO') throw answeredMeanwhile();
      throw e;
    }
  }

  /**
   * Takes the worker's place for `caseId` (with `open`, in the transaction that opens the case): null when taken, or
   * the id of the worker's other open request that holds it. The primary key decides between requests sent at once.
   */
  private async claim(
    procedureId: string,
    curp: string,
    caseId: string,
    open?: (em: EntityManager) => Promise<unknown>,
  ): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        await inTransaction(this.ds, async (em) => {
          await em.insert(OpenSelfServiceRequest, { procedureId, curp, caseId, createdAt: new Date() });
          await open?.(em);
        });
        return null;
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        const holder = await this.holder(procedureId, curp);
        if (holder === caseId) return null;
        if (holder) return holder;
        // The holder ended between the insert and the look: its place is free, take it.
        if (attempt >= 3) throw answeredMeanwhile();
      }
    }
  }

  /** The open case holding the worker's place; a place left by a case that ended elsewhere is freed on the way. */
  private async holder(procedureId: string, curp: string): Promise<string | null> {
    const place = await this.ds.getRepository(OpenSelfServiceRequest).findOne({ where: { procedureId, curp } });
    if (!place) return null;
    const c = await this.cases.status(place.caseId);
    if (c && c.status !== 'concluido') return c.id;
    // Its case ended in a process that did not run this module's hook (a CLI): nothing holds the place any more.
    await this.ds.getRepository(OpenSelfServiceRequest).delete({ procedureId, curp, caseId: place.caseId });
    return null;
  }

  private async release(em: EntityManager, end: CaseEnd): Promise<void> {
    if (end.row.procedureId.startsWith('personal-')) await em.delete(OpenSelfServiceRequest, { caseId: end.row.id });
  }

  /** After a failed retry: the place goes back unless a concurrent retry of the same case identified it meanwhile. */
  private async releaseIfUnidentified(caseId: string): Promise<void> {
    const c = await this.cases.status(caseId);
    if (!c || c.state === 'inconsistencia') await this.ds.getRepository(OpenSelfServiceRequest).delete({ caseId });
  }

  private actor(curp: string | null): Actor {
    return { id: `curp:${curp ?? 'desconocida'}`, role: 'trabajador', curp };
  }

  private async authorized(caseId: string, token: string): Promise<CaseRecord> {
    const expected = Buffer.from(this.tokenFor(caseId));
    const given = Buffer.from(token ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound('La solicitud');
    const row = await this.cases.find(caseId);
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
    const t = await this.catalog.trabajador(curp);
    const found = !!t && t.curt.toUpperCase() === curt;
    const cuenta = found ? await this.catalog.cuentaDe({ tipo: 'personal', curp }) : null;
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

  private async view(caseId: string, existente = false): Promise<SelfServiceView> {
    const row = await this.cases.find(caseId);
    if (!row) throw notFound('La solicitud');
    const ctx = row.context as {
      identidad?: { found?: boolean; curp?: string; nombre?: string | null };
      cuenta?: { address?: string | null } | null;
    };
    let trabajador: SelfServiceView['trabajador'] = null;
    if (ctx?.identidad?.found && ctx.identidad.curp) {
      const t = await this.catalog.trabajador(ctx.identidad.curp);
      if (t)
        trabajador = {
          nombre: ctx.identidad.nombre ?? t.nombre,
          correoAlterno: t.correoAlterno ? maskEmail(t.correoAlterno) : null,
        };
    }
    const key =
      row.status === 'concluido'
        ? (row.outcome ?? '')
        : row.status === 'incidente'
          ? 'incidente'
          : row.state === 'confirmacion' || row.state === 'inconsistencia'
            ? row.state
            : 'en_proceso';
    const acciones =
      row.status !== 'activo'
        ? []
        : row.state === 'confirmacion'
          ? ['confirmar', 'no_confirmar']
          : row.state === 'inconsistencia'
            ? ['identificar']
            : [];
    if (!MESSAGES[key]) throw new DomainError('ESTADO_DESCONOCIDO', 'No se pudo leer el estado de su solicitud.', 422);
    let mensaje = MESSAGES[key];
    if (existente) {
      // Where the link goes, once confirmed: the alternate address Capital Humano has, masked.
      const destino =
        row.state !== 'confirmacion' && trabajador?.correoAlterno
          ? ` Los datos de acceso se envían a su correo alterno ${trabajador.correoAlterno}.`
          : '';
      mensaje = `Ya tiene una solicitud en curso (trámite ${row.id}); no se abrió otra.${destino} ${mensaje}`;
    }
    return {
      tramite: row.id,
      token: this.tokenFor(row.id),
      existente,
      estado: row.state,
      concluido: row.status === 'concluido',
      resultado: row.outcome,
      trabajador,
      correoInstitucional: row.status === 'concluido' ? (ctx?.cuenta?.address ?? null) : null,
      mensaje,
      acciones,
    };
  }
}
