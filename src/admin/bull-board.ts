import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { tokenOf } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { isUnsafeMethod } from '../auth/csrf';
import { BullDriver } from '../queue/bull.driver';
import { QUEUE_DRIVER, type QueueDriver } from '../queue/queue-driver';
import { QUEUE_NAMES } from '../queue/queue.types';

export const BULL_BOARD_PATH = '/admin/colas';

/**
 * Bull Board for administrators at /admin/colas, when the queues live in Redis. Signed-in administrators only (the
 * session cookie of the staff sign-in); anyone else gets 404, so the page does not advertise itself. Changes (retry,
 * clean, pause, add) only from the board's own page.
 */
export function mountBullBoard(app: INestApplication): boolean {
  const driver = app.get<QueueDriver>(QUEUE_DRIVER);
  if (!(driver instanceof BullDriver)) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only with Redis, like Bull itself */
  const { createBullBoard } = require('@bull-board/api') as typeof import('@bull-board/api');
  const { BullAdapter } = require('@bull-board/api/bullAdapter') as typeof import('@bull-board/api/bullAdapter');
  const { ExpressAdapter } = require('@bull-board/express') as typeof import('@bull-board/express');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: QUEUE_NAMES.map((q) => new BullAdapter(driver.queue(q))), serverAdapter });
  const auth = app.get(AuthService);
  const onlyAdmins = (req: Request, res: Response, next: NextFunction): void => {
    // The board's own page changes queues with fetch from this origin; it cannot send our CSRF header, so a change must
    // be one the browser itself vouches for (Fetch Metadata). A form or fetch from another site or port is refused.
    if (isUnsafeMethod(req.method) && req.headers['sec-fetch-site'] !== 'same-origin') {
      res.status(403).json({
        error: 'ORIGEN_NO_PERMITIDO',
        mensaje: 'Los cambios a las colas solo se hacen desde la página de colas, no desde otro sitio.',
      });
      return;
    }
    const token = tokenOf(req);
    void (token ? auth.authenticate(token) : Promise.resolve(null)).then(
      (staff) =>
        staff?.role === 'administrador' && !staff.mustChangePassword
          ? next()
          : res.status(404).json({ error: 'NO_ENCONTRADO', mensaje: 'No se encontró lo que busca.' }),
      next,
    );
  };
  app.use(BULL_BOARD_PATH, onlyAdmins, serverAdapter.getRouter());
  return true;
}
