import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { API_RESOLVERS } from '../resolvers';

/**
 * The API's SDL exactly as the running server builds it (code-first, sorted): what `schema.graphql` at the repo
 * root must contain. Builds the schema from the resolver classes without starting a server.
 */
export async function buildSchemaSdl(): Promise<string> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    const factory = app.get(GraphQLSchemaFactory);
    return formatSdl(printSchema(lexicographicSortSchema(await factory.create([...API_RESOLVERS]))));
  } finally {
    await app.close();
  }
}

/**
 * The committed form of an SDL: prettier's GraphQL formatting with the repository's settings (so `prettier --check .`
 * and the schema check agree). Tooling only: prettier is a dev dependency, loaded on demand.
 */
export async function formatSdl(sdl: string): Promise<string> {
  const prettier = (await import('prettier')) as typeof import('prettier');
  const config = (await prettier.resolveConfig(join(__dirname, 'schema.graphql'))) ?? {};
  return prettier.format(sdl, { ...config, parser: 'graphql' });
}
