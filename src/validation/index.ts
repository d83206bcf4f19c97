export * from './cct';
export * from './curp';
export * from './curp-generate';
export * from './decorators';
export * from './email';
