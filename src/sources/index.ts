export { formatOfFile, readDirectorySource, type SourceReadResult } from "./directory.js";
export { type BadLine, readSubscribersFile } from "./subscribers-file.js";
