export * from './catalog-csv';
export * from './demo-data';
export * from './random';
export * from './seed-demo';
