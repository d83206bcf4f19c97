import { StaffSession } from '../auth/staff-session.entity';
import { StaffUser } from '../auth/staff-user.entity';
import { CentroTrabajo } from '../catalog/entities/centro-trabajo.entity';
import { Cuenta, CuentaHistorial } from '../catalog/entities/cuenta.entity';
import { Nivel } from '../catalog/entities/nivel.entity';
import { Trabajador } from '../catalog/entities/trabajador.entity';
import { ProcedureCase } from '../engine/entities/case.entity';
import { DiaInhabil } from '../engine/entities/holiday.entity';
import { Movement, MovementHead } from '../engine/entities/movement.entity';
import { OutboxCommand } from '../engine/entities/outbox.entity';
import { ProcedureVersion } from '../engine/entities/procedure-version.entity';
import { Task } from '../engine/entities/task.entity';
import { SentMail } from '../mail/sent-mail.entity';
import { DocumentDownload, IssuedDocument } from '../oficios/entities/document.entity';
import { FolioCounter } from '../oficios/entities/folio-counter.entity';
import { Oficio } from '../oficios/entities/oficio.entity';
import { ActivationToken } from '../provisioning/entities/activation-token.entity';
import { ChosenPassword } from '../provisioning/entities/chosen-password.entity';
import { DirectorioLocal } from '../provisioning/providers/local/directorio-local.entity';
import { OpenSelfServiceRequest } from '../selfservice/entities/open-request.entity';

export const ENTITIES = [
  Nivel,
  CentroTrabajo,
  Trabajador,
  Cuenta,
  CuentaHistorial,
  StaffUser,
  StaffSession,
  ProcedureVersion,
  ProcedureCase,
  Movement,
  MovementHead,
  Task,
  OutboxCommand,
  DiaInhabil,
  DirectorioLocal,
  ActivationToken,
  ChosenPassword,
  Oficio,
  FolioCounter,
  IssuedDocument,
  DocumentDownload,
  SentMail,
  OpenSelfServiceRequest,
];
