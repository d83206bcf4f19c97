import { Module } from '@nestjs/common';
import { DiagramController } from './diagram.controller';

/**
 * State diagrams of the procedures (presentation): reads the engine's public services (the global EngineModule)
 * and draws; the engine knows nothing of it.
 */
@Module({ controllers: [DiagramController] })
export class DiagramModule {}
