-- wrk script for pages_load.py: counts the responses that are 200 *and* contain the marker given
-- after `--` (wrk itself counts only statuses >= 400 as errors, so a redirect to the login page
-- would pass unnoticed), then prints one machine-readable line with the figures.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[1] or ""
  good = 0
  bad = 0
  last_bad = 0
end

function response(status, headers, body)
  if status == 200 and string.find(body, marker, 1, true) then
    good = good + 1
  else
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local good_total, bad_total, last_bad_status = 0, 0, 0
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    if thread:get("last_bad") ~= 0 then
      last_bad_status = thread:get("last_bad")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "good": %d, "bad": %d, "last_bad_status": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, good_total, bad_total, last_bad_status,
    latency:percentile(50), latency:percentile(99), latency.max
  ))
end
