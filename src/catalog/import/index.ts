export * from './catalog-rows';
export * from './catalog-sync';
export * from './csv-file';
export * from './import.service';
export * from './niveles';
export * from './progress-bar';
export * from './summary';
