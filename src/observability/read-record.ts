import type { User } from '../directory/model.js';

/**
 * What one GraphQL request handed its caller (for the audit log): the users, the directories asked and
 * the classes of data read beyond what the document's fields name (an email filter reads contact data
 * even when the answer holds only cursors). Filled where data leaves the use cases and loaders, so every
 * path that returns a user records it, whatever the response selects.
 */
export class ReadRecord {
  /** Local ids returned, by directory (no string built per user: this runs for every user returned). */
  private readonly users = new Map<string, Set<string>>();
  readonly directories = new Set<string>();
  readonly classes = new Set<string>();

  user(user: User): void {
    this.userRef(user.directory, user.localId);
  }

  /** A user named by its directory and local id (a change feed names users it does not load). */
  userRef(directory: string, localId: string): void {
    let ids = this.users.get(directory);
    if (ids === undefined) {
      ids = new Set();
      this.users.set(directory, ids);
      this.directories.add(directory);
    }
    ids.add(localId);
  }

  directory(name: string): void {
    this.directories.add(name);
  }

  get userCount(): number {
    let count = 0;
    for (const ids of this.users.values()) count += ids.size;
    return count;
  }
}
