export * from './auto-block';
export * from './catalog-reconciliation';
export * from './directory-reconciliation';
export { directoryRunInProgress, type ReconcileResult } from './findings-run';
export * from './review';
export * from './findings-view';
