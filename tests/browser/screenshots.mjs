// The README's screenshots of the playground and of a problem pack, taken from the built
// site in headless Chromium (not a test): `SKIP_BUILD=1 node tests/browser/screenshots.mjs`
// after `tests/browser/run.sh` built dist/. Writes docs/screenshots/{playground,pack}.png.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { chooseLanguage, launch, REPO, setCode, waitReady } from "./lib.mjs";
import { serve } from "./server.mjs";

const OUT = join(REPO, "docs", "screenshots");
const PROGRAM = `import sys

names = [line.strip() for line in sys.stdin if line.strip()]
for name in sorted(names):
    print(f"hello, {name}")
print(f"{len(names)} names", file=sys.stderr)
`;

const server = await serve();
const browser = await launch({ viewport: { width: 1280, height: 860 } });
try {
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  await page.goto(`${server.origin}/#/playground`);
  await page.locator('[data-testid="stdin"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(page, "python");
  await setCode(page, PROGRAM);
  await page.locator('[data-testid="stdin"]').fill("Grace\nAda\nBarbara\n");
  await waitReady(page, "python");
  await page.locator('[data-testid="run-button"]').click();
  await page.locator('[data-testid="run-status"]').waitFor({ timeout: 120_000 });
  await page.screenshot({ path: join(OUT, "playground.png"), fullPage: true });

  const problems = ["two-sum", "fizz-buzz", "valid-parentheses"].map((id) =>
    JSON.parse(readFileSync(join(REPO, "dist", "problems", `${id}.json`), "utf8")),
  );
  const pack = { format: "polyrun-pack/1", title: "CS101 — week 1", problems };
  await page.goto(`${server.origin}/#/`);
  await page.locator('[data-testid="pack-file-input"]').setInputFiles({
    name: "week1.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(pack)),
  });
  const listed = page.locator('[data-testid="pack"]').first();
  await listed.waitFor({ timeout: 30_000 });
  await listed.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(OUT, "pack.png") });
  console.log(`wrote ${join(OUT, "playground.png")} and ${join(OUT, "pack.png")}`);
} finally {
  await browser.close();
  await server.close();
}
