import { afterEach, describe, expect, it } from "vitest";
import { type RunningWarta, runWarta, spawnWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

async function servingUrl(warta: RunningWarta): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /^warta: serving .+ at (http:\/\/\S+)$/m.exec(warta.stdout)?.[1];
    if (url) return url;
    if (warta.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`warta did not start serving: ${warta.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const metricName = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const labelPair = '([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"';
const sampleLine = new RegExp(
  `^(${metricName})(?:\\{((?:${labelPair})(?:,${labelPair})*,?)?\\})? (\\S+)(?: (-?\\d+))?$`,
);

/**
 * Reads the Prometheus text exposition format (0.0.4) strictly: every line is a HELP, a TYPE
 * or a sample; every sample belongs to a family declared by a TYPE line before it; values are
 * floats (or NaN, +Inf, -Inf).
 */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith("\n")).toBe(true);
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const help = new RegExp(`^# HELP (${metricName}) (.*)$`).exec(line);
    if (help) {
      helps.add(help[1]!);
      continue;
    }
    const type = new RegExp(
      `^# TYPE (${metricName}) (counter|gauge|histogram|summary|untyped)$`,
    ).exec(line);
    if (type) {
      expect(types.has(type[1]!), `TYPE twice for ${type[1]}`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const match = sampleLine.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const name = match![1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(family), `no TYPE before ${name}`).toBe(true);
    expect(helps.has(family), `no HELP for ${family}`).toBe(true);
    const labels: Record<string, string> = {};
    for (const pair of (match![2] ?? "").matchAll(new RegExp(labelPair, "g"))) {
      labels[pair[1]!] = pair[2]!;
    }
    const raw = match![match!.length - 2]!;
    expect(raw, line).toMatch(/^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|NaN|[+-]Inf)$/);
    samples.push({ name, labels, value: Number(raw.replace("Inf", "Infinity")) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
}

describe("GET /metrics", () => {
  let ws: Workspace | undefined;
  let warta: RunningWarta | undefined;
  afterEach(async () => {
    if (warta && warta.child.exitCode === null) {
      warta.child.kill("SIGTERM");
      await warta.exited;
    }
    warta = undefined;
    ws?.remove();
  });

  it("tells what the store holds after a run, in the Prometheus text format", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { subscribers_file: "../subscribers.csv" },
        server: { port: 0 },
      }),
    );
    const run = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(run.code, run.stderr).toBe(0);

    warta = spawnWarta(["serve", "--config", config], { cwd: ws.root });
    const url = await servingUrl(warta);
    const response = await fetch(new URL("metrics", url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { samples, types } = parsePrometheus(await response.text());

    expect(types.get("warta_deliveries")).toBe("gauge");
    expect(types.get("warta_messages_total")).toBe("counter");
    expect(types.get("warta_job_duration_seconds")).toBe("histogram");
    const db = await ws.openStore();
    try {
      const counts = new Map(
        (
          await db
            .selectFrom("deliveries")
            .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
            .groupBy("status")
            .execute()
        ).map((row) => [row.status, row.n]),
      );
      expect(counts.get("sent")).toBeGreaterThan(0);
      for (const status of ["queued", "sending", "sent", "deferred", "failed", "bounced"]) {
        expect(value(samples, "warta_deliveries", { status }), status).toBe(
          counts.get(status) ?? 0,
        );
      }
      expect(value(samples, "warta_queue_depth")).toBe(
        (counts.get("queued") ?? 0) + (counts.get("deferred") ?? 0),
      );
      const jobs = await db.selectFrom("job_state").selectAll().execute();
      expect(jobs.map((j) => j.job).sort()).toEqual(["collect", "digest", "publish"]);
      for (const job of jobs) {
        expect(value(samples, "warta_job_runs", { job: job.job })).toBe(job.runs);
        expect(value(samples, "warta_job_failures", { job: job.job })).toBe(job.failures);
        expect(value(samples, "warta_job_running", { job: job.job })).toBe(0);
        expect(value(samples, "warta_job_last_success_timestamp_seconds", { job: job.job })).toBe(
          new Date(job.last_success_at!).getTime() / 1000,
        );
        expect(value(samples, "warta_job_last_duration_seconds", { job: job.job })).toBe(
          job.last_duration_ms! / 1000,
        );
      }
    } finally {
      await db.destroy();
    }
  });

  it("answers only the bearer of WARTA_METRICS_TOKEN when it is set", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig({ server: { port: 0 } }));
    warta = spawnWarta(["serve", "--config", config], {
      cwd: ws.root,
      env: { WARTA_METRICS_TOKEN: "scrape-me-0123456789" },
    });
    const url = await servingUrl(warta);
    const anonymous = await fetch(new URL("metrics", url));
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(new URL("metrics", url), {
      headers: { authorization: "Bearer scrape-me" },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(new URL("metrics", url), {
      headers: { authorization: "Bearer scrape-me-0123456789" },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("# TYPE warta_deliveries gauge");
    const head = await fetch(new URL("metrics", url), {
      method: "HEAD",
      headers: { authorization: "Bearer scrape-me-0123456789" },
    });
    expect(head.status).toBe(200);
  });
});
