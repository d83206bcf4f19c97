import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { notFound } from '../common/domain-error';
import { BulkEventsService } from '../engine/bulk-events';
import { Oficio } from './entities/oficio.entity';
import { OficioLinea } from './entities/oficio-linea.entity';

/** A line of an oficio for many accounts with where its case stands: what a client selects to work lines together. */
export interface LineStanding {
  linea: number;
  /** The school of a 5.2.1 line, or the holder of a 5.3.1 line's Servicio account (the other is null). */
  cct: string | null;
  curp: string | null;
  nombreCuenta: string;
  tramite: string;
  /** The case's state (turno, recepcionSubjefatura, creacion...), its status and the version to send with an act. */
  estado: string | null;
  status: string | null;
  version: number | null;
  resultado: string | null;
}

/**
 * GET /api/oficios/:id/lineas: every line of an oficio (annex order) with its case's state and version, so the
 * Subjefatura takes «all the lines at this step» and sends them to POST /api/tramites/eventos. Two reads by primary
 * key prefix and primary key, whatever the number of lines.
 */
@Injectable()
export class OficioLineStanding {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bulk: BulkEventsService,
  ) {}

  async lines(oficioId: string, estado?: string): Promise<{ oficio: string; folio: string; lineas: LineStanding[] }> {
    const oficio = await this.ds.getRepository(Oficio).findOne({ where: { id: oficioId } });
    if (!oficio) throw notFound('El oficio');
    const rows = await this.ds.getRepository(OficioLinea).find({ where: { oficioId }, order: { linea: 'ASC' } });
    const standing = await this.bulk.standing(rows.map((r) => r.caseId));
    const lineas = rows
      .map((r): LineStanding => {
        const s = standing.get(r.caseId);
        return {
          linea: r.linea,
          cct: r.cct,
          curp: r.curp,
          nombreCuenta: r.nombreCuenta,
          tramite: r.caseId,
          estado: s?.state ?? null,
          status: s?.status ?? null,
          version: s?.version ?? null,
          resultado: r.resultado,
        };
      })
      .filter((l) => estado === undefined || l.estado === estado);
    return { oficio: oficio.id, folio: oficio.folio, lineas };
  }
}
