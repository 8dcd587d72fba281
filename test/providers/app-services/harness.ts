import type { DirectoryProvider } from '../../../src/directory/port.js';
import {
  type AppServicesProviderOptions,
  createAppServicesProvider,
} from '../../../src/providers/app-services/provider.js';
import type { AppServicesSimulator } from '../../../src/simulators/app-services/simulator.js';
import { bareHttp } from '../../support/http.js';

/** A clock both the simulator and the provider read, moved by tests instead of sleeping. */
export function testClock(start = Date.parse('2025-03-01T12:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Providers made by a test file, closed by `closeAll` in afterEach/afterAll. */
export function providerFactory(sim: AppServicesSimulator) {
  const open: DirectoryProvider[] = [];
  return {
    make(overrides: Partial<AppServicesProviderOptions> & { timeoutMs?: number } = {}): DirectoryProvider {
      const { timeoutMs, ...rest } = overrides;
      const usesToken = rest.accessToken !== undefined;
      const provider = createAppServicesProvider({
        name: 'mobile',
        http: bareHttp('app-services', sim.url, { timeoutMs }),
        groupId: sim.groupId,
        appId: sim.appId,
        ...(usesToken ? {} : { publicApiKey: sim.publicApiKey, privateApiKey: sim.privateApiKey }),
        ...rest,
      });
      open.push(provider);
      return provider;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((provider) => provider.close?.()));
    },
  };
}
