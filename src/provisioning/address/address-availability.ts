import { Inject, Injectable } from '@nestjs/common';
import { CatalogAccounts } from '../../catalog/catalog-accounts';
import { DomainError } from '../../common/domain-error';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from '../providers/directory-provider';
import { type AddressExists, AddressGenerator } from './address-generator';

export interface NameAvailability {
  /** The name as it will be used (folded: lower case, no accents). */
  nombre: string;
  direccion: string;
  disponible: boolean;
  mensaje: string;
}

/**
 * Whether an address is free, asked where it matters: our accounts table and the directory (the provider's own lookup,
 * aliases included). The provisioning of a new account and the forms that propose a name (5.3.1 paso 5, and the
 * correction of a taken name) ask the same question here.
 */
@Injectable()
export class AddressAvailability {
  constructor(
    @Inject(DIRECTORY_PROVIDER) private readonly directory: DirectoryProvider,
    private readonly accounts: CatalogAccounts,
    private readonly addresses: AddressGenerator,
  ) {}

  readonly exists: AddressExists = async (address) =>
    (await this.accounts.addressTaken(address)) || (await this.directory.lookup(address)) !== null;

  /**
   * The account name a form sends, folded, when its address is free now; a 409 that says so when it is taken, so a
   * page without JavaScript is told on submit what the availability check tells as the name is typed.
   */
  async freeServiceName(nombre: string): Promise<string> {
    const found = await this.serviceName(nombre);
    if (!found.disponible) throw new DomainError('DIRECCION_OCUPADA', found.mensaje, 409, { address: found.direccion });
    return found.nombre;
  }

  /**
   * The Servicio or Función account name the Subjefatura typed: a name the rules refuse is a 422 that says why (the
   * same message the creation gives); a valid one says whether its address is free now. Only a hint for the form: the
   * creation checks again, and the account table's unique key decides between two creations at once.
   */
  async serviceName(nombre: string): Promise<NameAvailability> {
    const direccion = this.addresses.serviceAddress(nombre);
    const disponible = !(await this.exists(direccion));
    return {
      nombre: direccion.split('@')[0],
      direccion,
      disponible,
      mensaje: disponible
        ? `${direccion} está disponible.`
        : `${direccion} ya está en uso; elija otro nombre de cuenta.`,
    };
  }
}
