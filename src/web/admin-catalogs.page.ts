import { Controller, Get, Injectable, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import {
  CatalogRecords,
  type CentroRecord,
  type CuentaRecord,
  type TrabajadorRecord,
} from '../catalog/catalog-records';
import { CatalogSearchService } from '../catalog/catalog-search.service';
import { notFound } from '../common/domain-error';
import { renderSchool, renderSchools, renderWorker, renderWorkers } from './admin-catalogs.view';
import type { Chrome } from './layout';
import { PageChrome, sendHtml, StaffPages } from './page-auth';

const MAX_RESULTS = 50;

export type WorkerHit = Awaited<ReturnType<CatalogSearchService['workers']>>[number];
export type SchoolHit = Awaited<ReturnType<CatalogSearchService['schools']>>[number];

/** A search page's state: nothing typed yet (`null` hits), a bad term (error) or the hits. */
export interface SearchVm<T> {
  q: string;
  hits: T[] | null;
  error: string | null;
  /** When a full import of the catalog last ran (workers only: schools keep no such stamp). */
  ultimaImportacion?: Date | null;
}

export interface WorkerVm {
  trabajador: TrabajadorRecord;
  escuela: CentroRecord | null;
  cuentas: CuentaRecord[];
}

export interface SchoolVm {
  escuela: CentroRecord;
  director: TrabajadorRecord | null;
  cuentas: CuentaRecord[];
  trabajadoresActivos: number;
}

/** Reads a search term: trimmed, at least 2 characters (the catalog search's own rule). */
function termOf(raw: unknown): { q: string; error: string | null; empty: boolean } {
  const q = typeof raw === 'string' ? raw.trim().slice(0, 120) : '';
  return { q, empty: q === '', error: q !== '' && q.length < 2 ? 'Escriba al menos 2 caracteres.' : null };
}

/**
 * The two catalogs for administrators (Capital Humano's workers, the Catálogo de Centros de Trabajo): search, and a
 * record with whether it is active, when an import last touched it, and the accounts it holds.
 */
@Injectable()
export class AdminCatalogsService {
  constructor(
    private readonly search: CatalogSearchService,
    private readonly records: CatalogRecords,
  ) {}

  async workers(raw: unknown): Promise<SearchVm<WorkerHit>> {
    const { q, error, empty } = termOf(raw);
    const ultimaImportacion = await this.records.ultimaImportacion();
    if (empty || error) return { q, hits: null, error, ultimaImportacion };
    return { q, hits: await this.search.workers({ q, limite: MAX_RESULTS }), error: null, ultimaImportacion };
  }

  async schools(raw: unknown): Promise<SearchVm<SchoolHit>> {
    const { q, error, empty } = termOf(raw);
    if (empty || error) return { q, hits: null, error };
    return { q, hits: await this.search.schools({ q, limite: MAX_RESULTS }), error: null };
  }

  async worker(curp: string): Promise<WorkerVm> {
    const t = /^[A-Z0-9]{18}$/i.test(curp) ? await this.records.trabajador(curp.toUpperCase()) : null;
    if (!t) throw notFound('El trabajador');
    return {
      trabajador: t,
      escuela: t.cct ? await this.records.centro(t.cct) : null,
      cuentas: await this.records.cuentasDeTitular({ curp: t.curp }),
    };
  }

  async school(cct: string): Promise<SchoolVm> {
    const s = /^[A-Z0-9]{10}$/i.test(cct) ? await this.records.centro(cct.toUpperCase()) : null;
    if (!s) throw notFound('El centro de trabajo');
    return {
      escuela: s,
      director: s.directorCurp ? await this.records.trabajador(s.directorCurp) : null,
      cuentas: await this.records.cuentasDeTitular({ cct: s.cct }),
      trabajadoresActivos: await this.records.trabajadoresActivos(s.cct),
    };
  }
}

@StaffPages()
@Roles('administrador')
@Controller('admin')
export class AdminCatalogsPage {
  constructor(private readonly catalogs: AdminCatalogsService) {}

  @Get('trabajadores')
  async workers(@PageChrome() chrome: Chrome, @Query('q') q: unknown, @Res() res: Response): Promise<void> {
    const vm = await this.catalogs.workers(q);
    sendHtml(res, renderWorkers(chrome, vm), vm.error ? 400 : 200);
  }

  @Get('trabajadores/:curp')
  async worker(@PageChrome() chrome: Chrome, @Param('curp') curp: string, @Res() res: Response): Promise<void> {
    sendHtml(res, renderWorker(chrome, await this.catalogs.worker(curp)));
  }

  @Get('escuelas')
  async schools(@PageChrome() chrome: Chrome, @Query('q') q: unknown, @Res() res: Response): Promise<void> {
    const vm = await this.catalogs.schools(q);
    sendHtml(res, renderSchools(chrome, vm), vm.error ? 400 : 200);
  }

  @Get('escuelas/:cct')
  async school(@PageChrome() chrome: Chrome, @Param('cct') cct: string, @Res() res: Response): Promise<void> {
    sendHtml(res, renderSchool(chrome, await this.catalogs.school(cct)));
  }
}
