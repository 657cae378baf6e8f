import { FIELDS, JUDGE_SESSION_LUA, PARSE_ISO_LUA } from './walk-scripts';

/**
 * One call of the sampled estimate (sampled-stats.ts), sent to one master with no declared keys (as the
 * walk's scripts, walk-scripts.ts, and for the same reasons): draws ARGV[1] keys with RANDOMKEY, with
 * replacement, and judges each drawn key under the prefix exactly as the walk's counts do.
 *   ARGV: draws (at most MAX_DRAWS_PER_CALL), prefix, now (ms), now and now + 1 h as the server writes
 *     timestamps (…ffffff+00:00)
 *   reply: {DBSIZE before the draws, DBSIZE after, keys drawn, drawn under the prefix, live, unusable,
 *     expiring within the hour, {device_type, n, …}, {os, n, …}, {app_version, n, …}}
 *
 * DBSIZE counts keys whose TTL has passed but that Redis has not reclaimed yet; RANDOMKEY never returns
 * one (it deletes it and draws again), so the two DBSIZEs tell how many such keys the draws met, which
 * is how the estimate learns the share of stale keys in DBSIZE (see sampled-stats.ts). The script is
 * atomic, so nothing else changes DBSIZE between the two reads.
 */
export const MAX_DRAWS_PER_CALL = 500;

export const SAMPLE_STATS_LUA = `#!lua flags=no-writes,allow-cross-slot-keys
${PARSE_ISO_LUA}
${FIELDS}
local draws, prefix, now_ms = math.min(tonumber(ARGV[1]) or 0, ${MAX_DRAWS_PER_CALL}), ARGV[2], tonumber(ARGV[3])
local now_text, hour_later_text = ARGV[4], ARGV[5]
local HOUR_MS = 3600000
${JUDGE_SESSION_LUA}

local before = redis.call('DBSIZE')
local drawn, under_prefix, live, unusable, expiring = 0, 0, 0, 0, 0
for _ = 1, draws do
  local key = redis.call('RANDOMKEY')
  if not key then break end
  drawn = drawn + 1
  if string.sub(key, 1, #prefix) == prefix then
    under_prefix = under_prefix + 1
    local v = read_fields(key)
    local verdict, names, within_hour = 'unusable', nil, false
    if not v.err then verdict, names, within_hour = judge_session(key, v) end
    if verdict == 'unusable' then
      unusable = unusable + 1
    elseif verdict == 'live' then
      live = live + 1
      if within_hour then expiring = expiring + 1 end
      count_groups(names)
    end
  end
end
return append_groups({before, redis.call('DBSIZE'), drawn, under_prefix, live, unusable, expiring})
`;
