// A tiny static file server for the built site (no dependency): 127.0.0.1, an ephemeral
// port, the MIME types a browser insists on (application/wasm for streaming compilation,
// text/javascript for module scripts), index.html for unknown paths without an extension
// (the app routes with #/… anyway), ETag revalidation, and a record of every request, so
// tests can assert that user code made none.
//
//   import { serve } from "./server.mjs";
//   const server = await serve({ root: "/work/main/dist" });
//   server.url            // "http://127.0.0.1:PORT/"
//   server.requests       // [{ method, path, status, bytes, at }] in arrival order
//   server.clear()        // forgets the record
//   await server.close()
//
// Run alone: `node tests/browser/server.mjs [DIR] [PORT]` serves DIR (default dist/).
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_SITE = process.env.POLYRUN_SITE ? resolve(process.env.POLYRUN_SITE) : join(REPO, "dist");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".zip": "application/zip",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
  ".md": "text/markdown; charset=utf-8",
};

/** The MIME type of a file name. */
export function mimeType(name) {
  return MIME[extname(name).toLowerCase()] || "application/octet-stream";
}

/**
 * Serves `root` on 127.0.0.1 (port 0: an ephemeral one).
 * `cacheControl` is sent with every file ("no-cache": the browser revalidates with the ETag).
 */
export async function serve({ root = DEFAULT_SITE, port = 0, cacheControl = "no-cache" } = {}) {
  const base = resolve(root);
  if (!existsSync(join(base, "index.html"))) {
    throw new Error(`${base}/index.html is missing: build the site first (see tests/browser/run.sh)`);
  }
  const requests = [];
  const etags = new Map(); // path -> [mtimeMs, size, etag]

  function etagOf(file, stat) {
    const known = etags.get(file);
    if (known && known[0] === stat.mtimeMs && known[1] === stat.size) return known[2];
    const etag = `"${createHash("sha1").update(`${file}:${stat.size}:${stat.mtimeMs}`).digest("hex")}"`;
    etags.set(file, [stat.mtimeMs, stat.size, etag]);
    return etag;
  }

  const server = createServer((req, res) => {
    const record = { method: req.method, path: req.url, status: 0, bytes: 0, at: Date.now() };
    requests.push(record);
    const done = (status, headers, body) => {
      record.status = status;
      res.writeHead(status, headers);
      if (body !== undefined && req.method !== "HEAD") {
        record.bytes = Buffer.byteLength(body);
        res.end(body);
      } else {
        res.end();
      }
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      done(405, { "Content-Type": "text/plain", Allow: "GET, HEAD" }, "method not allowed\n");
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
      done(400, { "Content-Type": "text/plain" }, "bad request\n");
      return;
    }
    let file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) {
      done(403, { "Content-Type": "text/plain" }, "forbidden\n");
      return;
    }
    let stat = existsSync(file) ? statSync(file) : null;
    if (stat && stat.isDirectory()) {
      file = join(file, "index.html");
      stat = existsSync(file) ? statSync(file) : null;
    }
    if (!stat && extname(pathname) === "") {
      // An app route: the app itself.
      file = join(base, "index.html");
      stat = statSync(file);
    }
    if (!stat || !stat.isFile()) {
      done(404, { "Content-Type": "text/plain" }, "not found\n");
      return;
    }
    const etag = etagOf(file, stat);
    const headers = {
      "Content-Type": mimeType(file),
      "Cache-Control": cacheControl,
      ETag: etag,
      "Last-Modified": stat.mtime.toUTCString(),
    };
    if (req.headers["if-none-match"] === etag) {
      done(304, headers);
      return;
    }
    record.status = 200;
    res.writeHead(200, { ...headers, "Content-Length": stat.size });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on("data", (chunk) => {
      record.bytes += chunk.length;
    });
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  });

  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", ok);
  });
  const address = server.address();
  return {
    root: base,
    port: address.port,
    origin: `http://127.0.0.1:${address.port}`,
    url: `http://127.0.0.1:${address.port}/`,
    requests,
    clear() {
      requests.length = 0;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await serve({ root: process.argv[2] || DEFAULT_SITE, port: Number(process.argv[3] || 0) });
  console.log(`serving ${server.root} at ${server.url}`);
}
