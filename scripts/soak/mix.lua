-- wrk's request mix for scripts/soak.sh: the shop's three measured routes,
-- requests the SLOs must not count (unknown paths, a wrong method), a
-- malformed cart id (measured: its route matches), and traceparent
-- headers on some. Each thread counts what it sent per SLO; done() prints
-- the counts, wrk's own totals and the p99 as KEY VALUE lines.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

sent_checkout = 0
sent_cart = 0
sent_search = 0
sent_other = 0
local n = 0
-- wrk calls the first thread's request() once before the run, to check
-- what it returns; that request is never sent, so it is not counted.
local checked = false

local function traceparent(i)
  return string.format("00-%032x-%016x-01", i + 1, i + 7)
end

function request()
  if id == 1 and not checked then
    checked = true
    return wrk.format("GET", "/search?q=check")
  end
  n = n + 1
  local k = n % 20
  local headers = {}
  if k % 3 == 0 then
    headers["traceparent"] = traceparent(n)
  end
  if k < 4 then
    sent_checkout = sent_checkout + 1
    headers["content-type"] = "application/json"
    return wrk.format("POST", "/checkout", headers, "{\"items\":[1,2]}")
  elseif k < 9 then
    sent_cart = sent_cart + 1
    if k == 8 then
      return wrk.format("GET", "/cart/not-a-number", headers)
    end
    return wrk.format("GET", "/cart/" .. n, headers)
  elseif k < 17 then
    sent_search = sent_search + 1
    return wrk.format("GET", "/search?q=teapot" .. k, headers)
  elseif k == 17 then
    sent_other = sent_other + 1
    return wrk.format("GET", "/no/such/page/" .. n, headers)
  elseif k == 18 then
    sent_other = sent_other + 1
    return wrk.format("GET", "/checkout", headers)
  else
    sent_other = sent_other + 1
    return wrk.format("DELETE", "/search", headers)
  end
end

function done(summary, latency, requests)
  local totals = {checkout = 0, cart = 0, search = 0, other = 0}
  for _, thread in ipairs(threads) do
    totals.checkout = totals.checkout + thread:get("sent_checkout")
    totals.cart = totals.cart + thread:get("sent_cart")
    totals.search = totals.search + thread:get("sent_search")
    totals.other = totals.other + thread:get("sent_other")
  end
  local errors = summary.errors
  io.write(string.format("SENT_CHECKOUT %d\nSENT_CART %d\nSENT_SEARCH %d\nSENT_OTHER %d\n",
    totals.checkout, totals.cart, totals.search, totals.other))
  io.write(string.format("COMPLETED %d\n", summary.requests))
  io.write(string.format("SOCKET_ERRORS %d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("P99_US %d\n", latency:percentile(99)))
end
