import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DispatcherService } from './dispatcher.service';

@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [DispatcherService],
  exports: [DispatcherService],
})
export class DispatcherModule {}
