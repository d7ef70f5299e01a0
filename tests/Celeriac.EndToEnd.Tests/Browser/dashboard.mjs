// Drives the dashboard in Debian's headless chromium through playwright-core, as a user would: the pages load, a task
// enqueued by the test appears and moves to succeeded, an action without the token is refused, a revoke and a
// dead-letter replay work from the page. Screenshots go to SHOTS. Exit 0 when every step passed; else the failing step
// is printed and a screenshot of the page at that moment is saved.
// Environment: PLAYWRIGHT_CORE (the package's directory), URL, TOKEN, RUN_ID, DELAYED_ID, DEAD_ID, SHOTS.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.PLAYWRIGHT_CORE, "package.json"));
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const { URL: base, TOKEN: token, RUN_ID: runId, DELAYED_ID: delayedId, DEAD_ID: deadId, SHOTS: shots } = process.env;
const timeout = 30_000;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(timeout);
const errors = [];
page.on("pageerror", e => errors.push(e.message));
let step = "start";

async function shot(name) {
  await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
}

async function view(hash, selector) {
  await page.goto(base + "/" + hash);
  await page.waitForSelector(selector);
}

async function messageContains(text) {
  await page.waitForFunction(t => document.getElementById("message").textContent.includes(t), text);
}

try {
  step = "overview loads with the default queue";
  await view("#overview", "tr[data-queue='default']");
  await shot("overview");

  step = "workers lists the worker process";
  await view("#workers", "tr[data-worker]");
  await shot("workers");

  step = "the enqueued task appears in tasks and moves to succeeded";
  await view("#tasks", `tr[data-task-id='${runId}']`);
  await page.waitForSelector(`tr[data-task-id='${runId}'][data-state='Succeeded']`);
  await shot("tasks");

  step = "the task's detail shows its state, args and worker";
  await view("#task/" + runId, "td[data-field='state'].state-Succeeded");
  const args = await page.textContent("#task-args");
  if (!args.includes("milliseconds")) throw new Error("args not shown: " + args);
  if (!(await page.textContent("td[data-field='worker']")).includes(":")) throw new Error("no worker shown");
  await shot("task-detail");

  step = "a revoke without the token is refused";
  await view("#tasks", `tr[data-task-id='${delayedId}'][data-state='Queued'] button[data-action='revoke']`);
  await page.click(`tr[data-task-id='${delayedId}'] button[data-action='revoke']`);
  await messageContains("refused");
  await shot("refused-without-token");

  step = "the token is accepted";
  await page.fill("#token", token);
  await page.click("#token-form button");
  await page.waitForFunction(() => document.getElementById("token-state").textContent === "token accepted");

  step = "revoke from the page";
  await page.click(`tr[data-task-id='${delayedId}'] button[data-action='revoke']`);
  await messageContains("revoked " + delayedId);
  await view("#revocations", `tr[data-revoked='${delayedId}']`);
  await shot("revocations");

  step = "replay a dead letter from the page, and it runs";
  await view("#dead-letters", `tr[data-task-id='${deadId}'] button[data-action='replay']`);
  await shot("dead-letters");
  await page.click(`tr[data-task-id='${deadId}'] button[data-action='replay']`);
  await messageContains("replayed");
  await page.waitForSelector(`tr[data-task-id='${deadId}']`, { state: "detached" });
  await view("#task/" + deadId, "td[data-field='state'].state-Succeeded");
  await shot("replayed-task");

  step = "schedules and TaskQueues pages load";
  await view("#schedules", "#schedules p, #schedules table");
  await view("#taskqueues", "#taskqueues p, #taskqueues h2");
  await shot("taskqueues");

  if (errors.length > 0) throw new Error("script errors in the page: " + errors.join("; "));
  console.log("ok: every step passed");
} catch (e) {
  console.log(`failed at step "${step}": ${e.message}`);
  await shot("failure").catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
