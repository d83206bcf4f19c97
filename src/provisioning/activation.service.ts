import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { CatalogRecords, type CuentaRecord } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { SYSTEM_ACTOR } from '../auth/actor';
import { EngineService } from '../engine/engine.service';
import { CaseRecords } from '../engine/case-records';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LINK_VALIDITY_HOURS } from '../mail/account-mails';
import { checkPassword } from '../security/password-policy';
import { isWellFormedToken, tokenHash } from '../security/secret-box';
import { ActivationToken } from './entities/activation-token.entity';
import { HoldersService } from './holders.service';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from './providers/directory-provider';

const invalidLink = (): DomainError =>
  new DomainError(
    'ENLACE_INVALIDO',
    'El enlace no es válido, ya se usó o venció (dura 24 horas). Solicite uno nuevo con "Restablecer mi contraseña".',
    410,
  );

/**
 * Single-use links to set an account's password (OWASP / NIST: no password travels by e-mail). The token is an
 * HMAC of the outbox command with SECRET_KEY, so a replayed job mails the same link; only its SHA-256 is stored.
 */
@Injectable()
export class ActivationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DIRECTORY_PROVIDER) private readonly directory: DirectoryProvider,
    private readonly holders: HoldersService,
    private readonly engine: EngineService,
    private readonly cases: CaseRecords,
    private readonly catalog: CatalogRecords,
  ) {}

  async issue(
    cuentaId: string,
    caseId: string | null,
    outboxId: string,
    now = new Date(),
  ): Promise<{ url: string; expiresAt: Date }> {
    const token = createHmac('sha256', this.config.secretKey).update(`activacion:${outboxId}`).digest('base64url');
    const repo = this.ds.getRepository(ActivationToken);
    let row = await repo.findOne({ where: { outboxId } });
    if (!row) {
      row = {
        tokenHash: tokenHash(token),
        cuentaId,
        caseId,
        outboxId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + LINK_VALIDITY_HOURS * 3600_000),
        usedAt: null,
      };
      await repo.insert(row);
      // A newer link replaces the older ones of the same account.
      await repo
        .createQueryBuilder()
        .update()
        .set({ usedAt: now })
        .where('cuenta_id = :c AND outbox_id <> :o AND used_at IS NULL', { c: cuentaId, o: outboxId })
        .execute();
    }
    return { url: `${this.config.publicBaseUrl}/activar/${token}`, expiresAt: row.expiresAt };
  }

  /** What the activation page shows: the address, never more. */
  async describe(token: string, now = new Date()): Promise<{ direccion: string; vence: Date }> {
    const { cuenta, row } = await this.valid(token, now);
    return { direccion: cuenta.direccion, vence: row.expiresAt };
  }

  async setPassword(
    token: string,
    password: string,
    confirmation: string,
    now = new Date(),
  ): Promise<{ direccion: string }> {
    const { cuenta, row } = await this.valid(token, now);
    if (password !== confirmation)
      throw new DomainError('CONFIRMACION_DISTINTA', 'La confirmación no coincide con la contraseña.', 400);
    const holder = await this.holders.ofCuenta(cuenta);
    const reasons = checkPassword(password, {
      localPart: cuenta.localPart,
      curp: holder.directory.curp ?? null,
      names: [holder.directory.givenName, holder.directory.familyName],
    });
    if (reasons.length) throw new DomainError('CONTRASENA_DEBIL', reasons.join(' '), 400, { motivos: reasons });
    if (cuenta.estado === 'bloqueada')
      throw new DomainError('CUENTA_BLOQUEADA', 'La cuenta está bloqueada; no es posible activarla.', 423);
    // Consumed first: a second submission of the same link cannot set another password.
    const res = await this.ds
      .getRepository(ActivationToken)
      .update({ tokenHash: row.tokenHash, usedAt: IsNull() }, { usedAt: now });
    if (!res.affected) throw invalidLink();
    await this.directory.setPassword(cuenta.direccion, password, { changeAtNextLogin: false });
    await this.firstUse(cuenta.id);
    return { direccion: cuenta.direccion };
  }

  /**
   * Guía 5.2.1 paso 14 "Recibe la información e inicia el uso de su cuenta": the school setting its password through
   * the link is that first use. Sent as the system to a case of this account waiting for it; when the school is
   * quicker than the paperwork (the link arrives at paso 10, the Nivel delivers at paso 13), `sweepFirstUse` sends it
   * once the case gets there.
   */
  async firstUse(cuentaId: string): Promise<number> {
    const waiting = await this.cases.waitingIn('centro-trabajo-alta', 'inicioUso', { cuentaId });
    let n = 0;
    for (const row of waiting) {
      try {
        await this.engine.send(row.id, { type: 'INICIAR_USO' }, SYSTEM_ACTOR, { expectedVersion: row.version });
        n++;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e; // moved on meanwhile: nothing to do
      }
    }
    return n;
  }

  /** Periodic: 5.2.1 cases waiting for the school's first use, whose own activation link was already used. */
  async sweepFirstUse(): Promise<number> {
    const waiting = await this.cases.waitingIn('centro-trabajo-alta', 'inicioUso');
    let n = 0;
    for (const r of waiting) {
      const used = await this.ds
        .getRepository(ActivationToken)
        .exists({ where: { caseId: r.id, usedAt: Not(IsNull()) } });
      if (used && r.cuentaId) n += await this.firstUse(r.cuentaId);
    }
    return n;
  }

  private async valid(token: string, now: Date): Promise<{ cuenta: CuentaRecord; row: ActivationToken }> {
    if (!isWellFormedToken(token)) throw invalidLink();
    const row = await this.ds.getRepository(ActivationToken).findOne({ where: { tokenHash: tokenHash(token) } });
    if (!row || row.usedAt || row.expiresAt <= now) throw invalidLink();
    const cuenta = await this.catalog.cuenta(row.cuentaId);
    if (!cuenta) throw invalidLink();
    return { cuenta, row };
  }
}
