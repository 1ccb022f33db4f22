import { Module } from '@nestjs/common';
import { CurrentPortalSessionController } from './current-portal-session.controller';
import { PortalSessionsController } from './portal-sessions.controller';
import { TenantsController } from './tenants.controller';

@Module({
  controllers: [TenantsController, PortalSessionsController, CurrentPortalSessionController],
})
export class TenantsModule {}
