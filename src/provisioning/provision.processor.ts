import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CommandParams } from '../../machines/types';
import { requireActiveWorker, requireNotBlocked } from '../catalog/account-rules';
import { CatalogAccounts, type NewCuenta } from '../catalog/catalog-accounts';
import { CatalogRecords, type CuentaRecord } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { isUniqueViolation } from '../database/unique-violation';
import {
  type CommandProcessor,
  type EffectCommand,
  EffectProcessor,
  TransientError,
} from '../engine/effects/effect-processor';
import type { EngineEvent } from '../engine/engine.service';
import { SecretBox } from '../security/secret-box';
import { AddressAvailability } from './address/address-availability';
import { AddressGenerator, type AddressRequest } from './address/address-generator';
import { ChosenPassword } from './entities/chosen-password.entity';
import { HoldersService, type ResolvedHolder } from './holders.service';
import { DIRECTORY_PROVIDER, type DirectoryProvider, ProviderError } from './providers/directory-provider';

/** A uuid-shaped id derived from a seed (the case of a create), so a replayed create finds the account row it made. */
export function idFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A directory failure as the effect runner reads it: a transient one (network, rate limit, 5xx) is retried after its
 * Retry-After at least; any other fails the command with the provider's Spanish message. Other errors pass unchanged.
 */
export function asEffectError(e: unknown): unknown {
  if (!(e instanceof ProviderError)) return e;
  return e.transient
    ? new TransientError(e.messageEs, e.retryAfterMs)
    : new DomainError(`DIRECTORIO_${e.code.toUpperCase()}`, e.messageEs, 422);
}

/** Nobody knows this password: the holder sets their own through the single-use link (or a temporary one is mailed). */
const unusablePassword = (): string => `${randomBytes(24).toString('base64url')}-Aa9`;

/**
 * Guía "Servicio": creates, resets, reassigns and blocks accounts at the directory, and keeps our account table in
 * step. Every operation is safe to replay: the account row is written (with the address) before the directory is
 * asked, and the directory's create is an upsert for the same holder, so a crash anywhere ends with one account.
 * Since that upsert also sets a new password, a create only ever reaches the directory for the row its own case made:
 * an account the holder already had is refused (it is never reset by a create), and so are a reset of a blocked
 * account and an account for (or reassigned to) an inactive worker, whatever put the command in the outbox.
 */
@Injectable()
@EffectProcessor()
export class ProvisionProcessor implements CommandProcessor {
  readonly type = 'provision' as const;
  readonly queue = 'provisioning' as const;
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DIRECTORY_PROVIDER) private readonly directory: DirectoryProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly holders: HoldersService,
    private readonly addresses: AddressGenerator,
    private readonly accounts: CatalogAccounts,
    private readonly records: CatalogRecords,
    private readonly availability: AddressAvailability,
  ) {
    this.box = new SecretBox(config.secretKey);
  }

  async handle(cmd: EffectCommand, payload: unknown): Promise<EngineEvent> {
    return this.perform(cmd, payload as CommandParams['provision']).catch((e: unknown) => {
      throw asEffectError(e);
    });
  }

  private async perform(cmd: EffectCommand, p: CommandParams['provision']): Promise<EngineEvent> {
    switch (p.op) {
      case 'create':
        return this.create(cmd, p);
      case 'reset':
        return this.reset(cmd, p.cuentaId);
      case 'reassign':
        return this.reassign(cmd, p.cuentaId, p.newCurp);
      case 'suspend':
        return this.suspend(cmd, p.cuentaId);
    }
  }

  failureEvent(_cmd: EffectCommand, _payload: unknown, message: string): EngineEvent {
    return { type: 'PROVISION_ERROR', message, permanent: true };
  }

  private ok(c: Pick<CuentaRecord, 'id' | 'direccion'>): EngineEvent {
    return { type: 'PROVISION_OK', cuentaId: c.id, address: c.direccion };
  }

  private async create(
    cmd: EffectCommand,
    p: Extract<CommandParams['provision'], { op: 'create' }>,
  ): Promise<EngineEvent> {
    // A case creates at most one account: its id comes from the case, so a replay of this command, or the case's
    // REINTENTAR after an incident (a new command), finds the row this case made.
    const id = idFrom(`cuenta:${cmd.caseId}`);
    let holder: ResolvedHolder;
    let titular: Pick<NewCuenta, 'titularTipo' | 'titularCurp' | 'titularCct'>;
    if (p.tipo === 'centro_trabajo') {
      holder = await this.holders.centro(required(p.cct, 'cct'));
      titular = { titularTipo: 'centro', titularCurp: null, titularCct: p.cct! };
    } else {
      const worker = await this.holders.worker(required(p.curp, 'curp'), p.tipo);
      // Guía 5.3.1: Servicio and Función accounts are for active workers (5.1.1 checks its own worker first).
      if (p.tipo !== 'personal') requireActiveWorker(worker.trabajador, p.curp!, 'crear');
      holder = worker;
      titular = { titularTipo: 'trabajador', titularCurp: p.curp!, titularCct: null };
    }
    let cuenta = await this.accounts.find(id);
    if (!cuenta) {
      await this.refuseSecondAccount(p);
      const request: AddressRequest =
        p.tipo === 'personal'
          ? {
              tipo: 'personal',
              nombre: holder.directory.givenName,
              primerApellido: (holder as { trabajador?: { primerApellido: string } }).trabajador?.primerApellido,
              segundoApellido: (holder as { trabajador?: { segundoApellido: string | null } }).trabajador
                ?.segundoApellido,
            }
          : p.tipo === 'centro_trabajo'
            ? { tipo: 'centro_trabajo', cct: p.cct! }
            : { tipo: p.tipo, nombre: required(p.localPart, 'localPart') };
      // A candidate found taken may have been taken by this very holder a moment ago (another case creating the same
      // account, or a replay of this command, committed between the check above and here): asked again before the
      // next candidate, or a second account would be made under the next address.
      const taken = async (address: string): Promise<boolean> => {
        if (!(await this.availability.exists(address))) return false;
        if (await this.accounts.find(id)) throw new MadeMeanwhile();
        await this.refuseSecondAccount(p);
        return true;
      };
      cuenta = await this.addresses
        .assign(request, taken, async (address) => {
          const [localPart, dominio] = address.split('@') as [string, string];
          try {
            return await this.accounts.insert(
              { id, direccion: address, localPart, dominio, tipo: p.tipo, ...titular, proveedor: this.directory.name },
              cmd.caseId,
            );
          } catch (e) {
            if (!isUniqueViolation(e)) throw e;
            // A replay of this very create (the same case) inserted first: its row is this case's account.
            const mine = await this.accounts.find(id);
            if (mine) return mine;
            // Another case made this holder's account meanwhile: refused, never a second one.
            await this.refuseSecondAccount(p);
            throw e; // someone else took the address between the check and the insert: the next candidate
          }
        })
        .catch(async (e: unknown) => {
          if (!(e instanceof MadeMeanwhile)) throw e;
          return this.accounts.get(id);
        });
    }
    try {
      const acc = await this.directory.create({
        address: cuenta.direccion,
        tipo: cuenta.tipo,
        holder: holder.directory,
        password: unusablePassword(),
        changeAtNextLogin: false,
      });
      if (cuenta.proveedorId !== acc.providerId)
        await this.accounts.recordProvider(cuenta.id, this.directory.name, acc.providerId, cmd.caseId);
    } catch (e) {
      // Nothing was created: free the address so a retry after the Subjefatura fixes the data starts clean.
      if (e instanceof ProviderError && e.kind === 'permanent' && !cuenta.proveedorId && cuenta.id === id)
        await this.accounts.removeUnprovisioned(id);
      throw e;
    }
    return this.ok(cuenta);
  }

  /** A worker has one Personal account and a school one account: if it exists, a create must not touch it. */
  private async refuseSecondAccount(p: Extract<CommandParams['provision'], { op: 'create' }>): Promise<void> {
    if (p.tipo !== 'personal' && p.tipo !== 'centro_trabajo') return;
    const own = await this.records.cuentaDe(
      p.tipo === 'personal' ? { tipo: 'personal', curp: p.curp ?? '' } : { tipo: 'centro_trabajo', cct: p.cct ?? '' },
    );
    if (own) {
      const quien = p.tipo === 'personal' ? `El trabajador con CURP ${p.curp}` : `El centro de trabajo ${p.cct}`;
      throw new DomainError(
        'CUENTA_EXISTENTE',
        `${quien} ya tiene la cuenta ${own.direccion}: no se creó otra ni se cambió su contraseña.`,
        409,
      );
    }
  }

  private async reset(cmd: EffectCommand, cuentaId: string): Promise<EngineEvent> {
    const cuenta = await this.accounts.get(cuentaId);
    requireNotBlocked(cuenta);
    // Guía 5.2.2: the school chose its password; it was sealed at request time and is applied here.
    const chosen = await this.ds.getRepository(ChosenPassword).findOne({ where: { caseId: cmd.caseId } });
    const password = chosen ? this.box.open(chosen.sealed, `chosen-password:${cmd.caseId}`) : unusablePassword();
    await this.directory.setPassword(cuenta.direccion, password, { changeAtNextLogin: false });
    await this.accounts.recordHistory(
      cuenta.id,
      'restablecida',
      chosen ? 'Contraseña elegida por el centro de trabajo aplicada' : 'Contraseña anterior invalidada',
      cmd.caseId,
    );
    return this.ok(cuenta);
  }

  private async reassign(cmd: EffectCommand, cuentaId: string, newCurp: string): Promise<EngineEvent> {
    const cuenta = await this.accounts.get(cuentaId);
    const tipo = cuenta.tipo === 'centro_trabajo' ? 'personal' : cuenta.tipo;
    const holder = await this.holders.worker(newCurp, tipo);
    // Guía 5.4: the new holder must be an active worker.
    requireActiveWorker(holder.trabajador, newCurp, 'reasignar');
    // Correction 9: the previous holder loses access — the directory gets a new (unknown) password.
    await this.directory.reassign(cuenta.direccion, holder.directory, unusablePassword(), { changeAtNextLogin: false });
    // A blocked account reassigned by oficio is given back to use: the new holder could not set a password otherwise,
    // and the old one no longer opens it (the password above is new). The history says both.
    if (cuenta.estado === 'bloqueada') await this.directory.unsuspend(cuenta.direccion);
    await this.accounts.reassign(cuenta, newCurp, cmd.caseId);
    return this.ok(cuenta);
  }

  private async suspend(cmd: EffectCommand, cuentaId: string): Promise<EngineEvent> {
    const cuenta = await this.accounts.get(cuentaId);
    await this.directory.suspend(cuenta.direccion);
    await this.accounts.block(cuenta, cmd.caseId);
    return this.ok(cuenta);
  }
}

/** This case's account appeared while its address was being chosen (a replay of the command committed it). */
class MadeMeanwhile extends Error {}

function required<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined || v === '')
    throw new DomainError('DATOS_INCOMPLETOS', `Falta ${what} para crear la cuenta.`, 422);
  return v;
}

/** Guía 5.2.2: once applied (or the request ended), the sealed password is erased. */
@Injectable()
@EffectProcessor()
export class WipeChosenPasswordProcessor implements CommandProcessor {
  readonly type = 'wipeChosenPassword' as const;
  readonly queue = 'provisioning' as const;
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async handle(cmd: EffectCommand): Promise<null> {
    await this.ds.getRepository(ChosenPassword).delete({ caseId: cmd.caseId });
    return null;
  }
}
