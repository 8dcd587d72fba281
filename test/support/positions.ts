import type { ProviderKind } from '../../src/directory/model.js';
import type { ListPosition } from '../../src/directory/port.js';

/** A well-formed position of another provider's listing: every provider must refuse it. */
export function foreignPosition(provider: ProviderKind): ListPosition {
  return {
    provider,
    direction: 'ASC',
    filter: '',
    at: provider === 'app-services' ? 'ffffffffffffffffffffffff' : 3,
  };
}
