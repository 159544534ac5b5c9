export type { CliOutput, ContextOpener, OpenContext } from "./context.js";
export { buildProgram } from "./program.js";
