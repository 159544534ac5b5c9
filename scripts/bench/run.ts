/**
 * `npm run bench`: runs every benchmark, each against its reference in the same process and
 * the same run, and prints the figures with their ratios. `npm run bench -- NAME...` runs
 * only the named ones.
 */
type Bench = { name: string; load: () => Promise<{ run: () => Promise<void> }> };

const benches: Bench[] = [
  { name: "extraction", load: () => import("./extraction.js") },
  { name: "feeds", load: () => import("./feeds.js") },
  { name: "serve", load: () => import("./serve.js") },
  { name: "publish", load: () => import("./publish.js") },
  { name: "personalize", load: () => import("./personalize.js") },
  { name: "send", load: () => import("./send.js") },
  { name: "workers", load: () => import("./workers.js") },
];

const wanted = process.argv.slice(2);
const chosen = wanted.length > 0 ? benches.filter((b) => wanted.includes(b.name)) : benches;
if (chosen.length === 0) {
  console.error(`unknown benchmark; choose from: ${benches.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const bench of chosen) {
  console.log(`\n== ${bench.name} ==`);
  const module = await bench.load();
  await module.run();
}
