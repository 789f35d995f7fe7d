-- polyrun load mix for wrk (`cargo xtask load` writes the manifest and reads what this prints).
--
-- Usage: wrk -t N -c N -s xtask/load/mix.lua http://127.0.0.1:PORT -- MANIFEST
-- MANIFEST has one request a line: NAME <tab> PATH <tab> BODY_FILE. Each thread cycles
-- through every request from its own offset, as a POST with Content-Type: application/json.
-- Run it with one connection per thread (-t = -c): then a thread's responses come in the
-- order of its requests, so each answer is counted against the request it answers.
-- done() prints tab-separated lines starting with "polyrun-load".

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

local requests = {}
local index = 1
local last = nil
-- Per thread, flat (wrk copies tables between threads one level deep):
-- "sent\tNAME" and "got\tNAME\tSTATUS\tOUTCOME" → count.
counts = {}

local function bump(key)
  counts[key] = (counts[key] or 0) + 1
end

function init(args)
  local manifest = assert(args[1], "usage: … -- MANIFEST")
  for line in io.lines(manifest) do
    local name, path, file = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if name then
      local f = assert(io.open(file, "rb"))
      local body = f:read("*a")
      f:close()
      local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
      table.insert(requests, {
        name = name,
        grade = path:find("/grade", 1, true) ~= nil,
        raw = wrk.format("POST", path, headers, body),
      })
    end
  end
  assert(#requests > 0, "the manifest " .. manifest .. " lists no request")
  index = (id or 0) % #requests + 1
end

function request()
  local r = requests[index]
  index = index % #requests + 1
  last = r
  bump("sent\t" .. r.name)
  return r.raw
end

function response(status, headers, body)
  local r = last
  if r == nil then
    return
  end
  last = nil
  local outcome = "-"
  if status == 200 and body ~= nil then
    if r.grade then
      -- The report's own verdict comes before its tests' ones.
      outcome = body:match('"verdict"%s*:%s*"([%a_]+)"') or "?"
    else
      -- The run report's status is its last field; stdout comes first.
      outcome = body:match('.*"status"%s*:%s*"([%a_]+)"') or "?"
    end
  end
  bump("got\t" .. r.name .. "\t" .. status .. "\t" .. outcome)
end

function done(summary, latency, _requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    if c then
      for key, n in pairs(c) do
        total[key] = (total[key] or 0) + n
      end
    end
  end
  for key, n in pairs(total) do
    io.write("polyrun-load\t", key, "\t", n, "\n")
  end
  local e = summary.errors
  io.write(string.format(
    "polyrun-load\tsummary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
