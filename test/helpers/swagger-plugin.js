// Runs the @nestjs/swagger CLI plugin under ts-jest too, so the OpenAPI document that the
// tests see is the one `nest build` produces.
const transformer = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) =>
  transformer.before(
    { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
    cs.program,
  );
