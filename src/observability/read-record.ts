import type { User } from '../directory/model.js';

/** What one GraphQL request read: the users it returned and the directories it asked (for the audit log). */
export class ReadRecord {
  private readonly users = new Set<string>();
  readonly directories = new Set<string>();

  /** A user the response holds (called as each user's GraphQL type is resolved). */
  user(user: User): void {
    this.users.add(`${user.directory}\u0000${user.localId}`);
    this.directories.add(user.directory);
  }

  directory(name: string): void {
    this.directories.add(name);
  }

  get userCount(): number {
    return this.users.size;
  }
}
