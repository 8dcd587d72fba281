import type { DirectoryProvider } from './port.js';

/** The configured directories, by name, in configuration order. */
export class DirectoryRegistry {
  private readonly byName: ReadonlyMap<string, DirectoryProvider>;

  constructor(readonly providers: readonly DirectoryProvider[]) {
    const byName = new Map<string, DirectoryProvider>();
    for (const provider of providers) {
      if (byName.has(provider.name)) throw new Error(`directory name "${provider.name}" is used twice`);
      byName.set(provider.name, provider);
    }
    this.byName = byName;
  }

  get(name: string): DirectoryProvider | undefined {
    return this.byName.get(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.providers.map((provider) => provider.close?.()));
  }
}
