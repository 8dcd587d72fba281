import { type DirectoryConfig, directoryConfig } from '../config/config.js';
import { AppServicesSimulator } from './app-services/simulator.js';
import { MonoCloudSimulator } from './monocloud/simulator.js';
import { generatePeople } from './people.js';
import type { SimulatorTls } from './server.js';
import { ZitadelSimulator } from './zitadel/simulator.js';

export interface SimulatorSetOptions {
  /** Generated accounts per directory (the API pages' examples come on top). */
  readonly perDirectory?: number;
  readonly seed?: number;
  readonly latencyMs?: number;
  /** App Services access-token lifetime. */
  readonly tokenLifetimeMs?: number;
  /** Serve HTTPS with this key and certificate (test-ca.ts), as the real directories do (and HTTP/2). */
  readonly tls?: SimulatorTls;
}

/** The three simulators on loopback, sharing one generated population (so some people are in several). */
export class SimulatorSet {
  readonly monocloud: MonoCloudSimulator;
  readonly zitadel: ZitadelSimulator;
  readonly appServices: AppServicesSimulator;

  private constructor(options: SimulatorSetOptions) {
    const people = generatePeople({ seed: options.seed, perDirectory: options.perDirectory });
    const common = { latencyMs: options.latencyMs, seed: options.seed };
    this.monocloud = new MonoCloudSimulator({ ...common, accounts: people.monocloud });
    this.zitadel = new ZitadelSimulator({ ...common, accounts: people.zitadel });
    this.appServices = new AppServicesSimulator({
      ...common,
      accounts: people.appServices,
      tokenLifetimeMs: options.tokenLifetimeMs,
    });
  }

  static async start(options: SimulatorSetOptions = {}): Promise<SimulatorSet> {
    const set = new SimulatorSet(options);
    const tls = options.tls;
    await Promise.all(set.all.map((simulator) => simulator.listen(0, '127.0.0.1', tls)));
    return set;
  }

  get all(): readonly [MonoCloudSimulator, ZitadelSimulator, AppServicesSimulator] {
    return [this.monocloud, this.zitadel, this.appServices];
  }

  /** Directory configs pointing at the simulators, named as in the design's example config. */
  directories(names = { monocloud: 'acme', zitadel: 'corp', appServices: 'mobile' }): DirectoryConfig[] {
    // Through the config model, so every setting has the default a config file would give it.
    return [
      {
        provider: 'monocloud',
        name: names.monocloud,
        baseUrl: this.monocloud.url,
        apiKey: this.monocloud.apiKey,
      },
      {
        provider: 'zitadel',
        name: names.zitadel,
        baseUrl: this.zitadel.url,
        token: this.zitadel.token,
      },
      {
        provider: 'app-services',
        name: names.appServices,
        baseUrl: this.appServices.url,
        groupId: this.appServices.groupId,
        appId: this.appServices.appId,
        publicApiKey: this.appServices.publicApiKey,
        privateApiKey: this.appServices.privateApiKey,
        tokenLifetimeMs: this.appServices.tokenLifetimeMs,
      },
    ].map((raw) => directoryConfig.parse(raw));
  }

  /** Local ids each simulator serves, in its own order (examples first). */
  localIds(): { monocloud: string[]; zitadel: string[]; appServices: string[] } {
    return {
      monocloud: this.monocloud.users.map((user) => user.user_id),
      zitadel: this.zitadel.records.map((record) => record.user.userId),
      appServices: this.appServices.records.map((user) => user._id),
    };
  }

  resetAll(): void {
    for (const simulator of this.all) simulator.reset();
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((simulator) => simulator.close()));
  }
}
