import type { DataSource, EntityManager } from 'typeorm';
import { afterCommit } from '../database/transaction';

/** What a commit that wrote outbox rows signals: this process's QueueRuntime, which then relays soon (coalesced). */
export interface RelayWake {
  wake(): void;
}

/** The process's RelayWake (QueueModule provides its QueueRuntime under it). */
export const RELAY_WAKE = Symbol('RELAY_WAKE');

const wakes = new WeakMap<DataSource, RelayWake>();

/**
 * Wires the wake of a data source: outbox rows written through it wake `wake` once their transaction commits. Set by
 * the composition (EngineModule); a process without queues (a CLI, a test built by hand) sets none and relies on the
 * relays' timers.
 */
export function setRelayWake(ds: DataSource, wake: RelayWake | undefined): void {
  if (wake) wakes.set(ds, wake);
  else wakes.delete(ds);
}

/**
 * Called by whoever inserts outbox rows with `em`: once that transaction commits (at once outside one), the relay of
 * this process runs a pass instead of waiting for its timer. Other processes' relays still find the rows by timer.
 */
export function wakeRelayAfterCommit(em: EntityManager): void {
  const wake = wakes.get(em.connection);
  if (wake && !legacyRelay()) afterCommit(em, () => wake.wake());
}

/**
 * OUTBOX_RELAY_LEGACY=1: the relay as it was before issue 11 (timer only, one job and one UPDATE per command). Only
 * for the pipeline benchmark's before/after comparison (test/bench/pipeline-bench.ts); never set in production.
 */
export function legacyRelay(): boolean {
  return process.env.OUTBOX_RELAY_LEGACY === '1';
}
