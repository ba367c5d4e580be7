// Node module-resolution hooks (module.register): `@nestjs/*` imported anywhere outside
// this folder is resolved as if imported from here, so it finds NestJS 12 in
// test/nest/v12/node_modules. Nest's own modules resolve each other from where they sit,
// so they find 12 too. ESM imports only: Node 20 runs no hooks for require().
const HERE = new URL('./package.json', import.meta.url).href;
const NEST = /^@nestjs\/(common|core|microservices|platform-express|terminus)(\/|$)/;

export async function resolve(specifier, context, next) {
  if (NEST.test(specifier)) return next(specifier, { ...context, parentURL: HERE });
  return next(specifier, context);
}
