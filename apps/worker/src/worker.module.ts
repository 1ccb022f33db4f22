import { Module, type DynamicModule } from '@nestjs/common';
import { DomainModule, type DomainModuleOptions } from '@app/domain';

@Module({})
export class WorkerModule {
  static forRoot(options: DomainModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [DomainModule.forRoot(options)],
    };
  }
}
