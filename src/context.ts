import type { DirectoryRegistry } from './directory/registry.js';
import { Loaders } from './loaders.js';

/** What every resolver sees; built fresh for each GraphQL request. */
export interface Context {
  readonly directories: DirectoryRegistry;
  readonly loaders: Loaders;
}

export function createContext(directories: DirectoryRegistry, signal?: AbortSignal): Context {
  return { directories, loaders: new Loaders(signal ? { signal } : {}) };
}
