// The yardstick for the API benchmark: a bare Nest route with the same ValidationPipe and
// DTO as POST /v1/deliveries, but no database, middleware or logging.
import 'reflect-metadata';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { APP_PIPE, NestFactory } from '@nestjs/core';
import { ApiValidationPipe } from '../apps/api/src/validation/validation.pipe';
import { DeliveryRequestDto } from '../apps/api/src/deliveries/dto/delivery-request.dto';

@Controller()
class BareController {
  @Post('bare')
  create(@Body() body: DeliveryRequestDto): object {
    return { id: '00000000-0000-4000-8000-000000000000', ...body };
  }
}

@Module({
  controllers: [BareController],
  providers: [{ provide: APP_PIPE, useClass: ApiValidationPipe }],
})
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
}
void main();
