// polyrun's service worker: the site keeps working offline. Every same-origin GET the page
// makes (the app, its wasm, the problems, the sandbox frame, the runtimes) goes to the
// network first and is kept; without a network the kept copy answers. The grader's API
// (/api/, Judge0's routes) is never kept: grading needs the grader.
"use strict";

const CACHE = "polyrun-offline-v1";
const NEVER = /^\/(api|submissions|languages|statuses|about|config_info)(\/|$)/;

// What a first visit needs offline is kept at once: the page, every file it names (the
// app's wasm and script, the stylesheet, the editor, the sandbox frame) and every problem.
// The runtimes are kept as they are first used (Pyodide and ruby.wasm are 14 and 31 MB):
// a language works offline once it has been loaded online.
async function keepTheSite() {
  const cache = await caches.open(CACHE);
  const page = await fetch("./", { cache: "no-cache" });
  if (page.ok) {
    const html = await page.clone().text();
    await cache.put("./", page);
    const named = [...html.matchAll(/(?:href|src)="([^"#:]+)"/g)].map((m) => m[1]);
    await Promise.all(named.map((url) => cache.add(url).catch(() => undefined)));
  }
  const index = await fetch("problems/index.json", { cache: "no-cache" });
  if (index.ok) {
    const problems = await index.clone().json();
    await cache.put("problems/index.json", index);
    await Promise.all(
      problems.map((p) => cache.add(`problems/${encodeURIComponent(p.id)}.json`).catch(() => undefined)),
    );
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    keepTheSite()
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("polyrun-offline-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request);
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      } catch (error) {
        const kept = await caches.match(request, { ignoreSearch: true });
        if (kept) return kept;
        throw error;
      }
    })(),
  );
});
