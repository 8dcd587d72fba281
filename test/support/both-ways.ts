import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/server/app.js';

/**
 * One app served twice on 127.0.0.1: through its node:http listener (the lane for what it takes, Yoga
 * for the rest; src/server/graphql-lane.ts) and as Yoga alone, for tests that compare the two.
 */
export interface BothWays {
  readonly laneUrl: string;
  readonly yogaUrl: string;
  close(): Promise<void>;
}

export async function serveBothWays(app: App): Promise<BothWays> {
  const servers: Server[] = [createServer(app.http.listener), createServer(app)];
  const [laneUrl, yogaUrl] = await Promise.all(
    servers.map(async (server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    }),
  );
  return {
    laneUrl: laneUrl as string,
    yogaUrl: yogaUrl as string,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
