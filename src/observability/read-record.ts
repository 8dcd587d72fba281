import type { User } from '../directory/model.js';

/** What one GraphQL request read: the users it returned and the directories it asked (for the audit log). */
export class ReadRecord {
  /** Local ids returned, by directory (no string built per user: this runs for every user returned). */
  private readonly users = new Map<string, Set<string>>();
  readonly directories = new Set<string>();

  /** A user the response holds (called as each user's GraphQL type is resolved). */
  user(user: User): void {
    let ids = this.users.get(user.directory);
    if (ids === undefined) {
      ids = new Set();
      this.users.set(user.directory, ids);
      this.directories.add(user.directory);
    }
    ids.add(user.localId);
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
