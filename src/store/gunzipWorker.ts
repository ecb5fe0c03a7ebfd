// Worker thread: decompresses gzip files, one after another, into the shared slot that openGunzips'
// readers empty. It waits for the slot synchronously (this thread has nothing else to do, and a
// blocked loop is the back-pressure: zlib is not asked for more until the reader has taken a slot);
// a file's end is handed over as a state of its own, and the next file starts once it is taken.
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { workerData } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import { DONE, EMPTY, FAILED, FULL, SLOT, isCutShort, isZlibError, type Failure } from "./gzip.js";

const { files, shared } = workerData as { files: string[]; shared: SharedArrayBuffer };
const ctl = new Int32Array(shared, 0, SLOT.words);
const data = new Uint8Array(shared, SLOT.header + SLOT.errorBytes, SLOT.data);
Atomics.store(ctl, SLOT.started, 1);
// a thread that ends for any reason says so (the reader then stops waiting)
process.on("exit", () => {
  Atomics.store(ctl, SLOT.started, 2);
  Atomics.notify(ctl, SLOT.state);
});

// Waits until the reader has emptied the slot; ends the thread when the reader has closed.
function waitEmpty(): void {
  for (;;) {
    const state = Atomics.load(ctl, SLOT.state);
    if (state === EMPTY) return;
    if (Atomics.load(ctl, SLOT.closed) === 1) process.exit(0);
    Atomics.wait(ctl, SLOT.state, state, 1000);
  }
}

function hand(state: number): void {
  Atomics.store(ctl, SLOT.state, state);
  Atomics.notify(ctl, SLOT.state);
}

async function* toSlot(chunks: AsyncIterable<Buffer>): AsyncGenerator<never> {
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; ) {
      waitEmpty();
      const n = Math.min(SLOT.data, chunk.length - at);
      data.set(chunk.subarray(at, at + n));
      at += n;
      ctl[SLOT.length] = n;
      hand(FULL);
    }
  }
}

function fail(err: unknown): void {
  const failure: Failure = { message: err instanceof Error ? err.message : String(err), zlib: isZlibError(err) };
  const text = Buffer.from(JSON.stringify(failure)).subarray(0, SLOT.errorBytes);
  new Uint8Array(shared, SLOT.header, SLOT.errorBytes).set(text);
  ctl[SLOT.errorLength] = text.length;
  hand(FAILED);
}
// whatever else goes wrong here, the reader waiting on the slot is told
process.on("uncaughtException", fail);

try {
  for (const file of files) {
    let cutShort = 0;
    try {
      await pipeline(createReadStream(file), createGunzip({ chunkSize: 256 * 1024 }), toSlot);
    } catch (err) {
      // a file still being written (or cut off) is read up to where it ends, as a plain one is
      if (!isCutShort(err)) throw err;
      cutShort = 1;
    }
    waitEmpty();
    ctl[SLOT.cutShort] = cutShort;
    hand(DONE);
    // the next file starts once the reader has taken this one's end
    waitEmpty();
  }
} catch (err) {
  fail(err);
}
