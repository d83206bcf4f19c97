import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { StaffAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

@Global()
@Module({ controllers: [AuthController], providers: [AuthService, StaffAuthGuard], exports: [AuthService, StaffAuthGuard] })
export class AuthModule {}
