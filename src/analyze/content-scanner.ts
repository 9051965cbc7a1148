// A look at a file's content as a layer walk streams it past, for readers that need more than the path but
// must not buffer the file: the scanner sees every chunk in order and keeps only what it needs (a bounded
// amount, its own business), and its small result travels with the walk's entry.

export interface ContentScanner<R> {
  /** The next chunk of the file. Returns false when nothing further could change the result (the walk then
   *  stops feeding it). Must not keep `chunk` beyond the call except by copying what it needs. */
  update(chunk: Buffer): boolean;
  /** Called once, after the last chunk fed; undefined when there is nothing to report. */
  finish(): R | undefined;
}
