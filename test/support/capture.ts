import { Writable } from "node:stream";

/** Streams for a command line run in-process: what it wrote to stdout and stderr, read after it ends. */
export function capturedIo() {
  const out = { stdout: "", stderr: "" };
  const sink = (name: "stdout" | "stderr") =>
    new Writable({
      write(chunk, _encoding, done) {
        out[name] += String(chunk);
        done();
      },
    });
  return { io: { stdout: sink("stdout"), stderr: sink("stderr") }, out };
}
