// Runs a TypeScript module in a worker thread: tsx's loader has to be registered per thread.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
