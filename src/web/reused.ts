import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { StaffUser } from '../auth/staff-user.entity';

/** Staff user ids (movements, task assignees) → the names people recognise. */
@Injectable()
export class StaffNames {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async of(ids: readonly (string | null | undefined)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((i): i is string => !!i && /^[0-9a-f-]{36}$/i.test(i)))];
    if (!wanted.length) return new Map();
    const rows = await this.ds.getRepository(StaffUser).find({ select: { id: true, nombre: true }, where: { id: In(wanted) } });
    return new Map(rows.map((r) => [r.id, r.nombre]));
  }
}
