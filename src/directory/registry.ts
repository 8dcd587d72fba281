import type { DirectoryProvider } from './port.js';

/** The configured directories, by name, in configuration order; or the part of them one caller may read. */
export class DirectoryRegistry {
  private readonly byName: ReadonlyMap<string, DirectoryProvider>;
  private readonly withheld: ReadonlySet<string>;
  private readonly views = new WeakMap<ReadonlySet<string>, DirectoryRegistry>();

  constructor(
    readonly providers: readonly DirectoryProvider[],
    withheld: ReadonlySet<string> = new Set(),
  ) {
    const byName = new Map<string, DirectoryProvider>();
    for (const provider of providers) {
      if (byName.has(provider.name)) throw new Error(`directory name "${provider.name}" is used twice`);
      byName.set(provider.name, provider);
    }
    this.byName = byName;
    this.withheld = withheld;
  }

  get(name: string): DirectoryProvider | undefined {
    return this.byName.get(name);
  }

  /** A directory the caller already holds an object of (a user, a group); its absence is a bug. */
  getOrThrow(name: string): DirectoryProvider {
    const directory = this.byName.get(name);
    if (!directory) throw new Error(`object from unknown directory ${name}`);
    return directory;
  }

  /** A configured directory this view does not show (the caller was not granted it). */
  isWithheld(name: string): boolean {
    return this.withheld.has(name);
  }

  /** Only the directories named in `allowed` (null: all); the rest are withheld. Cached per set. */
  restrictedTo(allowed: ReadonlySet<string> | null): DirectoryRegistry {
    if (allowed === null) return this;
    let view = this.views.get(allowed);
    if (view === undefined) {
      view = new DirectoryRegistry(
        this.providers.filter((provider) => allowed.has(provider.name)),
        new Set(this.providers.filter((provider) => !allowed.has(provider.name)).map((p) => p.name)),
      );
      this.views.set(allowed, view);
    }
    return view;
  }

  async close(): Promise<void> {
    await Promise.all(this.providers.map((provider) => provider.close?.()));
  }
}
