-- scans.lua — wrk script for bench/run.sh: POST /api/v1/scans at full speed, cycling through
-- (kiosk token, card code) pairs so that no card is sent twice within a run (a card seen again
-- within 60 s would not be recorded). Each wrk thread takes every Nth pair of the file, so the
-- threads never share a card.
--   PAIRS=FILE   lines "TOKEN<TAB>CODE[<TAB>...]" (written by bench/run.sh from demo --codes-out)
--   WRK_THREADS  the -t given to wrk (to stride the file)
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  pairs_ = {}
  local i = 0
  for line in io.lines(os.getenv("PAIRS")) do
    if i % nthreads == tid then
      local tok, code = line:match("^(%S+)\t(%S+)")
      table.insert(pairs_, {tok, '{"code":"' .. code .. '"}'})
    end
    i = i + 1
  end
  idx = 0
  sent = 0
  recorded = 0
  duplicate = 0
  other = 0
  wrapped = 0
end

function request()
  idx = idx + 1
  if idx > #pairs_ then
    idx = 1
    wrapped = 1
  end
  local p = pairs_[idx]
  sent = sent + 1
  return wrk.format("POST", "/api/v1/scans",
    {["Authorization"] = "Bearer " .. p[1], ["Content-Type"] = "application/json"}, p[2])
end

function response(status, headers, body)
  if status == 200 and body:find('"recorded":%s*true') then
    recorded = recorded + 1
  elseif status == 200 then
    duplicate = duplicate + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local r, d, o, w = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("recorded")
    d = d + t:get("duplicate")
    o = o + t:get("other")
    w = w + t:get("wrapped")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("WRK_RESULT requests=%d seconds=%.3f recorded=%d duplicate=%d " ..
    "non200=%d errors=%d wrapped=%d recorded_per_s=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, secs, r, d, o,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout, w, r / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
