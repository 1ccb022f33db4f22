import { Module } from '@nestjs/common';
import { DeliveryAttemptsController } from './delivery-attempts.controller';

@Module({ controllers: [DeliveryAttemptsController] })
export class DeliveryAttemptsModule {}
