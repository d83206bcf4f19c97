import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Brackets, DataSource } from 'typeorm';
import { Roles, StaffAuthGuard } from '../auth/auth.guard';
import { CentroTrabajo } from './entities/centro-trabajo.entity';
import { Cuenta, TIPO_CUENTA_LABEL } from './entities/cuenta.entity';
import { Trabajador } from './entities/trabajador.entity';

class SearchDto {
  @IsString({ message: 'Escriba qué busca.' })
  @MinLength(2, { message: 'Escriba al menos 2 caracteres.' })
  @MaxLength(120)
  q!: string;

  @IsOptional()
  @IsIn(['personal', 'centro_trabajo', 'servicio', 'funcion'], { message: 'El tipo de cuenta no es válido.' })
  tipo?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50, { message: 'Se muestran hasta 50 resultados.' })
  limite?: number;
}

const like = (q: string): string => `%${q.trim().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

/**
 * Guía 5.2.1 paso 7 "buscar el centro de trabajo y director", 5.3.1 "Busca al trabajador", 5.3.2–5.5 "Busca la
 * cuenta": what the Subjefatura looks up before acting on a case.
 */
@ApiTags('catálogos')
@ApiBearerAuth()
@UseGuards(StaffAuthGuard)
@Roles('subjefatura', 'subdireccion')
@Controller('api/catalogo')
export class CatalogController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Get('trabajadores')
  @ApiOperation({ summary: 'Busca trabajadores por CURP, CURT o nombre' })
  async workers(@Query() q: SearchDto) {
    const fullName = this.ds.options.type === 'better-sqlite3' ? "(t.nombre || ' ' || t.primer_apellido)" : "CONCAT(t.nombre, ' ', t.primer_apellido)";
    const term = q.q.trim().toUpperCase();
    const rows = await this.ds
      .getRepository(Trabajador)
      .createQueryBuilder('t')
      .where(`t.curp LIKE :p OR t.curt = :c OR ${fullName} LIKE :l`, { p: `${term}%`, c: term, l: like(q.q) })
      .orderBy('t.primer_apellido')
      .take(q.limite ?? 20)
      .getMany();
    return rows.map((t) => ({
      curp: t.curp,
      nombre: [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' '),
      cct: t.cct,
      nivel: t.nivelClave,
      activo: t.activo,
      tieneCorreoAlterno: !!t.correoAlterno,
    }));
  }

  @Get('centros')
  @ApiOperation({ summary: 'Busca centros de trabajo por CCT o nombre, con su director' })
  async schools(@Query() q: SearchDto) {
    const rows = await this.ds
      .getRepository(CentroTrabajo)
      .createQueryBuilder('c')
      .where('c.cct LIKE :p OR c.nombre LIKE :l', { p: `${q.q.trim().toUpperCase()}%`, l: like(q.q) })
      .orderBy('c.cct')
      .take(q.limite ?? 20)
      .getMany();
    const directors = rows.map((r) => r.directorCurp).filter((c): c is string => !!c);
    const people = directors.length ? await this.ds.getRepository(Trabajador).createQueryBuilder('t').where('t.curp IN (:...c)', { c: directors }).getMany() : [];
    return rows.map((c) => {
      const d = people.find((p) => p.curp === c.directorCurp);
      return {
        cct: c.cct,
        nombre: c.nombre,
        nivel: c.nivelClave,
        estatus: c.estatus,
        director: d ? { curp: d.curp, nombre: [d.nombre, d.primerApellido, d.segundoApellido].filter(Boolean).join(' '), tieneCorreoAlterno: !!d.correoAlterno } : null,
      };
    });
  }

  @Get('cuentas')
  @ApiOperation({ summary: 'Busca cuentas por dirección, CURP o CCT del titular' })
  async accounts(@Query() q: SearchDto) {
    const term = q.q.trim();
    const qb = this.ds
      .getRepository(Cuenta)
      .createQueryBuilder('c')
      .where(new Brackets((w) => w.where('c.direccion LIKE :l', { l: like(term.toLowerCase()) }).orWhere('c.titular_curp = :u OR c.titular_cct = :u', { u: term.toUpperCase() })));
    if (q.tipo) qb.andWhere('c.tipo = :t', { t: q.tipo });
    const rows = await qb.orderBy('c.direccion').take(q.limite ?? 20).getMany();
    return rows.map((c) => ({ id: c.id, direccion: c.direccion, tipo: TIPO_CUENTA_LABEL[c.tipo], estado: c.estado, titularCurp: c.titularCurp, titularCct: c.titularCct }));
  }
}
