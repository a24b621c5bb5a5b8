-- Fixed-rate load for wrk 4 (which has no rate flag): each thread schedules its requests evenly
-- (RATE / THREADS per second) with a monotonic clock, and delay() waits until the next slot.
-- wrk times a request from when it is sent, not from its slot: a stall shows up as a lower achieved rate
-- (printed by done()) rather than as queueing delay, so check the rate held before reading the percentiles.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } timespec;
int clock_gettime(int clk_id, timespec *tp);
]]
local ts = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("RATE") or "500")
local threads = tonumber(os.getenv("THREADS") or "2")
local interval = threads * 1000 / rate
local next_slot = nil

function delay()
  local t = now_ms()
  if next_slot == nil then next_slot = t end
  next_slot = next_slot + interval
  local wait = next_slot - t
  if wait < 0 then return 0 end
  return math.floor(wait)
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%.1f,"rate":%.1f,"non2xx":%d,"errors":%d,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"p999_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
