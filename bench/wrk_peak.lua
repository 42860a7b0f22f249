-- The due-date peak: each connection (one per wrk thread) is one customer who, over and over,
-- signs in (Argon2), opens Account(s), Details and the bill's PDF, and starts a payment.
-- Argument after `--`: a file of one tab-separated line per customer (bench/run.py writes it).
-- A response counts as good only when it is what a browser would get: the sign-in's redirect
-- away from the sign-in page, a 200 with the account number, a PDF, the redirect to the processor.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n == id then
      customer = split(line)
    end
  end
  -- username, login path, login body, csrf cookie, session cookie, accounts path, details path,
  -- pdf path, pay path, pay body without its key, account number
  login_path, login_body, csrf_cookie, session_cookie = customer[2], customer[3], customer[4], customer[5]
  accounts_path, details_path, pdf_path, pay_path = customer[6], customer[7], customer[8], customer[9]
  pay_body, number = customer[10], customer[11]
  origin = "http://" .. wrk.host .. ":" .. wrk.port
  -- Each run's keys differ from the last run's: a key used before is a form sent twice.
  math.randomseed(os.time() * 100 + id)
  step, bad, sign_ins, payments, pdfs = 0, 0, 0, 0, 0
end

local function key()
  -- a new idempotency key for each payment form, as the pay page gives one
  local r = math.random
  return string.format("%04x%04x-%04x-4%03x-a%03x-%04x%04x%04x", r(0, 0xffff), r(0, 0xffff),
    r(0, 0xffff), r(0, 0xfff), r(0, 0xfff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

local form = "application/x-www-form-urlencoded"

function request()
  step = step % 5 + 1
  if step == 1 then
    return wrk.format("POST", login_path,
      {["Cookie"] = csrf_cookie, ["Content-Type"] = form, ["Origin"] = origin}, login_body)
  elseif step == 2 then
    return wrk.format("GET", accounts_path, {["Cookie"] = session_cookie})
  elseif step == 3 then
    return wrk.format("GET", details_path, {["Cookie"] = session_cookie})
  elseif step == 4 then
    return wrk.format("GET", pdf_path, {["Cookie"] = session_cookie})
  end
  return wrk.format("POST", pay_path,
    {["Cookie"] = session_cookie .. "; " .. csrf_cookie, ["Content-Type"] = form, ["Origin"] = origin},
    pay_body .. key())
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  local good
  if step == 1 then
    good = status == 302 and not string.find(location, "login", 1, true)
    if good then sign_ins = sign_ins + 1 end
  elseif step == 2 or step == 3 then
    good = status == 200 and string.find(body, number, 1, true) ~= nil
  elseif step == 4 then
    good = status == 200 and string.sub(body, 1, 5) == "%PDF-"
    if good then pdfs = pdfs + 1 end
  else
    good = status == 302 and string.find(location, "test-processor", 1, true) ~= nil
    if good then payments = payments + 1 end
  end
  if not good then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local totals = {bad = 0, sign_ins = 0, payments = 0, pdfs = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %f, "bad": %d, "socket_errors": %d, "sign_ins": %d, ' ..
    '"payments": %d, "pdfs": %d, "p50_ms": %f, "p99_ms": %f}\n',
    summary.requests, summary.duration / 1e6, totals.bad,
    e.connect + e.read + e.write + e.timeout, totals.sign_ins, totals.payments, totals.pdfs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000
  ))
end
