import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../../common/domain-error';
import { TransparencyLog } from './transparency-log';
import { publishedHead } from './tree-head';

/** A whole number in a query string, or a 400 that names the parameter. */
function size(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,10}$/.test(value))
    throw new DomainError(
      'PARAMETRO_INVALIDO',
      `«${name}» debe ser un número entero (el tamaño de una cabeza firmada).`,
      400,
    );
  return Number(value);
}

/**
 * Public by design, like a Certificate Transparency log: signed tree heads, the certificate that signs them and
 * consistency proofs hold hashes only, so anyone may keep a head and later demand proof that the log only grew.
 */
@ApiTags('bitácora')
@Controller('api/bitacora')
export class TransparencyController {
  constructor(private readonly log: TransparencyLog) {}

  @Get('cabeza')
  @ApiOperation({ summary: 'La cabeza firmada más reciente de la bitácora (o la de ?tamano=N)' })
  async head(@Query('tamano') tamano?: string) {
    const head = tamano === undefined ? await this.log.latestHead() : await this.log.headAt(size(tamano, 'tamano'));
    if (!head)
      throw new DomainError(
        'CABEZA_NO_EXISTE',
        tamano === undefined
          ? 'La bitácora aún no tiene cabezas firmadas: el secuenciador firma la primera en cuanto hay movimientos.'
          : `La bitácora no firmó ninguna cabeza de tamaño ${tamano}.`,
        404,
      );
    return publishedHead(head);
  }

  @Get('consistencia')
  @ApiOperation({ summary: 'Prueba de consistencia (RFC 9162) entre dos cabezas firmadas: ?desde=M&hasta=N' })
  async consistency(@Query('desde') desde?: string, @Query('hasta') hasta?: string) {
    const first = size(desde, 'desde');
    const second = size(hasta, 'hasta');
    return { first, second, proof: await this.log.consistencyProof(first, second) };
  }

  @Get('certificado')
  @Header('Content-Type', 'application/x-pem-file')
  @ApiOperation({ summary: 'El certificado que firmó las cabezas con ?keyId=…, en PEM' })
  async certificate(@Query('keyId') keyId?: string) {
    if (keyId === undefined || !/^[0-9a-f]{64}$/.test(keyId))
      throw new DomainError(
        'PARAMETRO_INVALIDO',
        '«keyId» debe ser el SHA-256 del certificado en hexadecimal (64 caracteres).',
        400,
      );
    const der = await this.log.certificate(keyId);
    if (!der)
      throw new DomainError(
        'CERTIFICADO_NO_EXISTE',
        'Ninguna cabeza de esta bitácora se firmó con ese certificado.',
        404,
      );
    const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
    return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
  }
}
