import { Writable } from 'node:stream';

/** A destination for the log that keeps each JSON line it is given, parsed, for a test to read. */
export class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n'))
      if (line.trim() !== '') this.lines.push(JSON.parse(line));
    done();
  }

  /** pino writes with `write()` and never waits for the callback; so do we. */
  override write(chunk: Buffer | string): boolean {
    this._write(chunk, 'utf8', () => {});
    return true;
  }

  clear(): void {
    this.lines.length = 0;
  }
}
