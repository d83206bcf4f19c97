export * from './catalog-csv';
export * from './demo-data';
export * from './random';
