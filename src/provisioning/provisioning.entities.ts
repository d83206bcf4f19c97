import { ActivationToken } from './entities/activation-token.entity';
import { ChosenPassword } from './entities/chosen-password.entity';
import { DirectorioLocal } from './providers/local/directorio-local.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const PROVISIONING_ENTITIES = [DirectorioLocal, ActivationToken, ChosenPassword];
