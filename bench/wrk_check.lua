-- wrk counts only statuses >= 400 as errors, so a redirect to the sign-in page would pass for a
-- served page: a response counts as good only when it is a 200 containing the marker after `--`.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[1]
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, marker, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %f, "bad": %d, "socket_errors": %d, "p99_ms": %f}\n',
    summary.requests, summary.duration / 1e6, bad_total,
    e.connect + e.read + e.write + e.timeout, latency:percentile(99) / 1000
  ))
end
