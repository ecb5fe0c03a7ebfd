// Gzip-compressed record files (a rotated log: app.jsonl.gz) are read as they are. The report's byte
// reader is synchronous, so a worker thread decompresses and hands the bytes over through shared
// memory, one slot at a time; the record path simply streams through zlib.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { inputError } from "../errors.js";
import { shownInput, STDIN } from "./stdin.js";

/** True when `head` starts with gzip's magic bytes. */
export const isGzipHead = (head: Uint8Array): boolean => head[0] === 0x1f && head[1] === 0x8b;

/**
 * Gzip data arriving through a pipe (zcat forgotten, or `ssh host cat app.jsonl.gz`): a pipe is read on
 * this thread as it comes, not decompressed, so say what it is and the two ways that work.
 */
export function compressedPipeError(file: string): Error {
  return inputError(file, (name) => `${file === STDIN ? "standard input" : name} is gzip-compressed data; pass the .gz file itself (gzip files are read as they are), or decompress it on the way (zcat app.jsonl.gz | tierwatch ... -)`);
}

/** True when `file` is a regular file that starts with gzip's magic bytes. */
export function isGzipFile(file: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    // a pipe's first bytes are the reader's: only a regular file is looked into
    if (!fstatSync(fd).isFile()) return false;
    readSync(fd, head, 0, 2, 0);
  } catch {
    // unreadable here: the reader says why, with the file's name
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return isGzipHead(head);
}

/**
 * The shared slot's layout: words for the state, the slot's length, the error text's length, whether the
 * thread has started (1) or ended (2), whether the reader has closed (1), whether the file handed over as
 * done was cut short (1); then the error text and the data.
 */
export const SLOT = { state: 0, length: 1, errorLength: 2, started: 3, closed: 4, cutShort: 5, words: 8, header: 32, errorBytes: 1024, data: 1024 * 1024 } as const;
/** The state word: the slot is empty (the worker may fill it), full (the reader may take it), or the file ended (the reader takes that too, by emptying the slot) or failed. */
export const EMPTY = 0;
export const FULL = 1;
export const DONE = 2;
export const FAILED = 3;

const START_WAIT_MS = 30_000;

/** A synchronous reader of a gzip file's decompressed bytes. */
export interface GunzipReader {
  /** Copies up to `length` bytes into buf at offset; 0 at the end. */
  read(buf: Buffer, offset: number, length: number): number;
  /** After the end: whether the file ended before its compressed stream did (read up to there). */
  cutShort(): boolean;
}

/** Gzip files decompressed one after another on one worker thread, each read through its own reader, in order. */
export interface Gunzips {
  /** The reader of the next file (files are read whole and in the order given). */
  next(): GunzipReader;
  /** Ends the thread (whether or not every file was read). */
  close(): void;
}

/** Starts decompressing `files`, in order, on a worker thread. */
export function openGunzips(files: readonly string[]): Gunzips {
  const shared = new SharedArrayBuffer(SLOT.header + SLOT.errorBytes + SLOT.data);
  const ctl = new Int32Array(shared, 0, SLOT.words);
  const data = new Uint8Array(shared, SLOT.header + SLOT.errorBytes, SLOT.data);
  const worker = new Worker(new URL("./gunzipWorker.js", import.meta.url), { workerData: { files, shared } });
  worker.unref();
  let current = -1;
  let waited = 0;
  const handBack = () => {
    Atomics.store(ctl, SLOT.state, EMPTY);
    Atomics.notify(ctl, SLOT.state);
  };
  return {
    next() {
      const file = files[++current]!;
      let taken = 0;
      let ended = false;
      let cut = false;
      return {
        cutShort: () => cut,
        read(buf, offset, length) {
          if (ended) return 0;
          for (;;) {
            const state = Atomics.load(ctl, SLOT.state);
            if (state === FULL) {
              const n = Math.min(length, ctl[SLOT.length]! - taken);
              buf.set(data.subarray(taken, taken + n), offset);
              taken += n;
              if (taken === ctl[SLOT.length]) {
                taken = 0;
                handBack();
              }
              return n;
            }
            if (state === DONE) {
              // this file's end: taking it lets the thread go on to the next file
              ended = true;
              cut = Atomics.load(ctl, SLOT.cutShort) === 1;
              handBack();
              return 0;
            }
            if (state === FAILED) throw failed(file, Buffer.from(shared, SLOT.header, ctl[SLOT.errorLength]).toString("utf8"));
            // the thread says when it starts and when it ends; one that never starts, or ends without
            // handing over the end, cannot say more: stop waiting then
            if (Atomics.wait(ctl, SLOT.state, EMPTY, 1000) === "timed-out" && Atomics.load(ctl, SLOT.state) === EMPTY) {
              const started = Atomics.load(ctl, SLOT.started);
              if (started === 2) throw inputError(file, (name) => `${name}: the thread that decompresses it ended early`);
              if (started === 0 && (waited += 1000) >= START_WAIT_MS) throw inputError(file, (name) => `${name}: the thread that decompresses it did not start within ${START_WAIT_MS / 1000} s`);
            }
          }
        },
      };
    },
    close() {
      // a thread waiting for the slot to empty ends by itself; one decompressing is stopped
      Atomics.store(ctl, SLOT.closed, 1);
      Atomics.notify(ctl, SLOT.state);
      void worker.terminate();
    },
  };
}

/** Why the thread could not go on: zlib's reason (the file is cut short or corrupt), or the file's. */
export interface Failure {
  message: string;
  zlib: boolean;
}

/** zlib's error for a stream that ends before its end (a file still being written, or cut off). */
export const isCutShort = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === "Z_BUF_ERROR";

/** The lines that say which gzip files were read only up to where they end (named relative to `cwd`). */
export const cutShortNotes = (files: readonly string[], cwd: string): string =>
  files.map((file) => `${shownInput(file, cwd)}: cut short (a compressor still writing, or a copy cut off); read up to where it ends\n`).join("");

/** True for zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR: cut short), as against the file system's. */
export function isZlibError(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === "string" && (err as { code: string }).code.startsWith("Z_");
}

/** A gzip file that could not be read: zlib's reason says it is not whole, anything else is said as it is. */
export function gunzipError(file: string, failure: Failure, cause?: unknown): Error {
  return inputError(file, (name) => (failure.zlib ? `${name}: cannot be decompressed (${failure.message}); is it a whole gzip file?` : `${name}: ${failure.message}`), cause);
}

function failed(file: string, text: string): Error {
  let failure: Failure;
  try {
    failure = JSON.parse(text) as Failure;
  } catch {
    // cut at the slot's error space
    failure = { message: text, zlib: false };
  }
  return gunzipError(file, failure);
}
