export type { CliOutput, ContextOpener, OpenContext, SettingsLoader } from "./context.js";
export { buildProgram } from "./program.js";
