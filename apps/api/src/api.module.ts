import { Module, type DynamicModule } from '@nestjs/common';
import { DomainModule, type DomainModuleOptions } from '@app/domain';

@Module({})
export class ApiModule {
  static forRoot(options: DomainModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [DomainModule.forRoot(options)],
    };
  }
}
