import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { Injectable } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLSchema } from 'graphql';
import { apolloExpressMiddleware } from './express-graphql.middleware';

/** Filled by the driver at start: the executable schema (for validating subscription operations). */
export interface SchemaRef {
  current: GraphQLSchema | null;
}

/**
 * The Nest Apollo driver with its Express registration replaced by our own Apollo ↔ Express 5 glue (the stock driver
 * needs `@as-integrations/express5`, which the project does not depend on). Everything else — plugins, subscriptions
 * over graphql-ws, error wrapping — is the stock driver's.
 */
@Injectable()
export class X402ApolloDriver extends ApolloDriver {
  override async start(options: ApolloDriverConfig): Promise<void> {
    const ref = (options as { schemaRef?: SchemaRef }).schemaRef;
    if (ref && options.schema) ref.current = options.schema;
    return super.start(options);
  }

  override async registerExpress(
    options: ApolloDriverConfig,
    { preStartHook }: { preStartHook?: () => void } = {},
  ): Promise<void> {
    const { path, typeDefs, resolvers, schema } = options;
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    const app = httpAdapter.getInstance();
    preStartHook?.();
    const server = new ApolloServer({
      typeDefs,
      resolvers,
      schema,
      ...(options as object),
      // Compact JSON (Apollo pretty-prints by default: ~2× the bytes and the time on large results).
      stringifyResult: (value: unknown) => JSON.stringify(value),
      plugins: [
        ...(options.plugins ?? []),
        ApolloServerPluginDrainHttpServer({ httpServer: httpAdapter.getHttpServer() }),
        // No cache hints are used (reads are cached by data version in the read model); the default cache-control
        // plugin would otherwise hook every field resolution.
        ApolloServerPluginCacheControlDisabled(),
      ],
    } as ConstructorParameters<typeof ApolloServer>[0]);
    await server.start();
    app.use(path, apolloExpressMiddleware(server, options.context as never));
    (this as unknown as { apolloServer: ApolloServer }).apolloServer = server;
  }
}
