import { Global, Module } from '@nestjs/common';
import { RateLimitModule } from '../common/rate-limit';
import { AuthController } from './auth.controller';
import { StaffAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CsrfTokens } from './csrf';
import { SignInLimits } from './sign-in-limits';
import { StaffUsersService } from './staff-users.service';
import { UsersController } from './users.controller';

@Global()
@Module({
  imports: [RateLimitModule],
  controllers: [AuthController, UsersController],
  providers: [AuthService, StaffAuthGuard, StaffUsersService, CsrfTokens, SignInLimits],
  exports: [AuthService, StaffAuthGuard, StaffUsersService, CsrfTokens],
})
export class AuthModule {}
