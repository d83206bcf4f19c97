import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { StaffAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { UsersController } from './users.controller';

@Global()
@Module({ controllers: [AuthController, UsersController], providers: [AuthService, StaffAuthGuard], exports: [AuthService, StaffAuthGuard] })
export class AuthModule {}
