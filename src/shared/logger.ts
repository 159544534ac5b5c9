import { pino } from "pino";

export type Logger = pino.Logger;

/** Creates the process logger: JSON lines on standard error, at the given level. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: "warta" } }, pino.destination(2));
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
