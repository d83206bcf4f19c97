import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config';
import { dataSourceOptions } from './src/entities';

// For the TypeORM CLI (migration:generate, migration:show). The app and `npm run migration:run` use the same factory.
const config = loadConfig();
export default new DataSource(dataSourceOptions(config));
