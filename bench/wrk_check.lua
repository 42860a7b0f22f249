-- wrk counts only statuses >= 400 as errors, so a redirect to the sign-in page would pass for a
-- served page: a response counts as good only when it is a 200 containing every marker after `--`.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  markers = {}
  for i = 1, #args do
    markers[i] = args[i]
  end
  bad = 0
end

function response(status, headers, body)
  local good = status == 200
  for _, marker in ipairs(markers) do
    good = good and string.find(body, marker, 1, true) ~= nil
  end
  if not good then
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
    'BENCH {"requests": %d, "seconds": %f, "bad": %d, "socket_errors": %d, "p50_ms": %f, "p99_ms": %f}\n',
    summary.requests, summary.duration / 1e6, bad_total,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000
  ))
end
