/** What a logger wrote, for tests to read: a stream to hand it, and the lines that reached the stream. */
import { Writable } from 'node:stream';

export interface CapturedLines {
  /** Each line written, without its newline, in order. */
  lines: string[];
  stream: Writable;
}

export function captureLines(): CapturedLines {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}
