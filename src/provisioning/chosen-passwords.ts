import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SecretBox } from '../security/secret-box';
import { ChosenPassword } from './entities/chosen-password.entity';

/**
 * A password a school chose for its account (Guía 5.2.2), kept sealed until the provisioning service applies it and
 * wiped after. Whoever takes the request hands the password here, in the transaction that opens its case.
 */
@Injectable()
export class ChosenPasswords {
  private readonly box: SecretBox;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.box = new SecretBox(config.secretKey);
  }

  async keep(em: EntityManager, caseId: string, password: string): Promise<void> {
    await em.insert(ChosenPassword, {
      caseId,
      sealed: this.box.seal(password, `chosen-password:${caseId}`),
      createdAt: new Date(),
    });
  }
}
