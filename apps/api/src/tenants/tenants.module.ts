import { Module } from '@nestjs/common';
import { PortalSessionsController } from './portal-sessions.controller';
import { TenantsController } from './tenants.controller';

@Module({ controllers: [TenantsController, PortalSessionsController] })
export class TenantsModule {}
