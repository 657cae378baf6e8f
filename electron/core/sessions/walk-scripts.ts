/**
 * The keyspace walk on the server: one script call per SCAN step and per master node. Each call runs
 * one `SCAN cursor MATCH <prefix>* COUNT n` and looks at the keys it returned, so a call touches a
 * bounded number of keys (about n) and Redis is never held for long; what comes back is only the
 * keys that matter (and their five session fields), or counts.
 *
 * Why this is allowed, and where it stops:
 * - Redis asks scripts to declare the keys they touch. These scripts cannot: their keys come from
 *   SCAN. On a single server nothing checks this. In a Cluster, Redis 7 refuses a script that touches a
 *   key of another node ("non local key") and, unless the script carries the `allow-cross-slot-keys`
 *   flag, one that touches keys of two slots. SCAN on a node returns only that node's keys, so each call
 *   is sent to one master (not through the cluster client, which would pick a node at random) and
 *   carries the flag. Keys passed back for deletion go in ARGV, not KEYS: declared keys of two slots are
 *   refused (CROSSSLOT) even with the flag.
 * - The `#!lua` line needs Redis 7. Where a script is refused (an ACL user without +@scripting, a
 *   proxy that wants KEYS, an older server), the walk goes on from the same cursor on the client
 *   (walk.ts), with the same results.
 * - A script sees one instant: no key expires while it runs, so every key of a step is judged and read
 *   consistently. Between steps the keyspace moves; SCAN returns every key that exists from the start
 *   to the end of a walk, a key added or removed during it may or may not be returned, and a key may
 *   come back twice (when Redis resizes its table). The walk drops repeats where it must count.
 * - The scripts only narrow. Wherever Lua could disagree with the definition in filter.ts (a metadata
 *   value it cannot decode, a timestamp it cannot read, text that is not valid UTF-8), the key is
 *   returned and the client decides. A revocation then deletes only keys whose five fields are still
 *   exactly what the client judged (their SHA-1 digest, compared in the deleting script).
 */

/** Timestamps as record.ts reads them (timestamps.ts): microseconds since the epoch, or nil. */
export const PARSE_ISO_LUA = `
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end
local MONTH_DAYS = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
local function parse_iso(s)
  if not s or #s > 64 then return nil end
  local y, mo, d, h, mi, rest = string.match(s, '^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d)(.*)$')
  if not y then return nil end
  y, mo, d, h, mi = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi)
  -- JavaScript's Date.UTC reads years 0-99 as 1900-1999; leave those to the client.
  if y < 100 then return nil end
  local sec, frac = 0, '0'
  local s2, r2 = string.match(rest, '^:(%d%d)(.*)$')
  if s2 then
    sec, rest = tonumber(s2), r2
    local f, r3 = string.match(rest, '^[.,](%d+)(.*)$')
    if f then
      if #f > 6 then return nil end
      frac, rest = f .. string.rep('0', 6 - #f), r3
    end
  end
  local offset = 0
  if rest ~= '' and rest ~= 'Z' then
    local sign, oh, om = string.match(rest, '^([+-])(%d%d):?(%d%d)$')
    if not sign then
      sign, oh = string.match(rest, '^([+-])(%d%d)$')
      om = '0'
    end
    if not sign then return nil end
    offset = tonumber(oh) * 60 + tonumber(om)
    if sign == '-' then offset = -offset end
  end
  if mo < 1 or mo > 12 or h > 23 or mi > 59 or sec > 59 then return nil end
  local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
  local last = MONTH_DAYS[mo] + ((mo == 2 and leap) and 1 or 0)
  if d < 1 or d > last then return nil end
  local ms = days_from_civil(y, mo, d) * 86400000 + h * 3600000 + mi * 60000 + sec * 1000
  return ms * 1000 + tonumber(frac) - offset * 60000000
end
`;

/** The five session fields, read with HMGET, and a digest of them as read (for compare-and-delete). */
export const FIELDS = `
local FIELDS = {'user_id', 'device_id', 'created_at', 'expires_at', 'metadata'}
local function read_fields(key)
  return redis.pcall('HMGET', key, FIELDS[1], FIELDS[2], FIELDS[3], FIELDS[4], FIELDS[5])
end
local function digest(v)
  local parts = {}
  for j = 1, 5 do parts[j] = v[j] and (#v[j] .. ':' .. v[j]) or '~' end
  return redis.sha1hex(table.concat(parts, ','))
end
`;

/**
 * One walk step that returns the keys a filter may match, each with its kind, PTTL and five fields:
 *   ARGV: cursor, pattern, count, '1' to add digests, then criteria, each a tag and its values:
 *     'owner', 1|2 (user_id|device_id), value · 'meta', field, value · 'time', 3|4 (created_at|expires_at),
 *     '<'|'>=', micros · 'ttl', seconds
 *   reply: {next cursor, keys SCAN returned, {key, 'h', pttl, user_id, device_id, created_at, expires_at,
 *     metadata[, digest]} | {key, 'w'} (not a hash) …}
 * With no criteria every key is returned (a listing of everything).
 *
 * Redis' CPU is what this costs, so a key that cannot match costs one HMGET of just the fields the
 * criteria look at (the owner field alone for a lost device), and a metadata text or a timestamp is
 * decoded once per call however many keys share it.
 */
export const WALK_LUA = `#!lua flags=no-writes,allow-cross-slot-keys
${PARSE_ISO_LUA}
${FIELDS}
-- A value containing U+FFFD may stand for bytes that are not UTF-8, which the client sees replaced by
-- U+FFFD: Lua cannot compare those, so such a criterion lets every key through.
local FFFD = '\\239\\191\\189'
local SLACK = 1000000
local with_digest = ARGV[4] == '1'
local owners, metas, times, ttl_within = {}, {}, {}, nil
-- The fields the criteria look at: read first, the others only for keys that may match.
local needed, needed_names = {}, {}
local function need(index)
  if not needed[index] then
    needed[index] = #needed_names + 1
    needed_names[#needed_names + 1] = FIELDS[index]
  end
end
local i = 5
while i <= #ARGV do
  local tag = ARGV[i]
  if tag == 'owner' then
    owners[#owners + 1] = {tonumber(ARGV[i + 1]), ARGV[i + 2], string.find(ARGV[i + 2], FFFD, 1, true) ~= nil}
    need(tonumber(ARGV[i + 1]))
    i = i + 3
  elseif tag == 'meta' then
    local want = ARGV[i + 2]
    -- A quick test before decoding: where the wanted text cannot be spelled otherwise in JSON, a record
    -- whose metadata does not contain it cannot match.
    local plain = not string.find(want, '[^%w _.:@+%-]') and not tonumber(want)
    metas[#metas + 1] = {ARGV[i + 1], want, plain and want or nil, string.find(want, FFFD, 1, true) ~= nil}
    need(5)
    i = i + 3
  elseif tag == 'time' then
    times[#times + 1] = {tonumber(ARGV[i + 1]), ARGV[i + 2], tonumber(ARGV[i + 3])}
    need(tonumber(ARGV[i + 1]))
    i = i + 4
  elseif tag == 'ttl' then
    ttl_within = tonumber(ARGV[i + 1])
    i = i + 2
  else
    return redis.error_reply('ERR latchkey walk: unknown criterion')
  end
end

local metadata_memo = {}
local function metadata_may_match(raw)
  if not raw or raw == '' then return false end
  local known = metadata_memo[raw]
  if known ~= nil then return known end
  local answer = true
  local escaped = string.find(raw, '\\\\', 1, true) ~= nil
  for _, m in ipairs(metas) do
    if m[3] and not escaped and not string.find(raw, m[3], 1, true) then answer = false end
  end
  if answer then
    local ok, doc = pcall(cjson.decode, raw)
    if ok and type(doc) == 'table' then
      for _, m in ipairs(metas) do
        local v = doc[m[1]]
        local t = type(v)
        if t == 'string' then
          if v ~= m[2] and not m[4] then answer = false end
        elseif t == 'boolean' then
          if tostring(v) ~= m[2] then answer = false end
        elseif t == 'number' then
          if tonumber(m[2]) ~= v then answer = false end
        else
          answer = false
        end
      end
    end
  end
  metadata_memo[raw] = answer
  return answer
end

local time_memo = {}
local function time_of(text)
  local at = time_memo[text]
  if at == nil then
    at = parse_iso(text) or false
    time_memo[text] = at
  end
  return at
end

-- false: cannot match; true: may match (the client decides). d holds the needed fields, by field index.
local function may_match(key, d)
  for _, o in ipairs(owners) do
    if d[o[1]] ~= o[2] and not o[3] then return false end
  end
  for _, t in ipairs(times) do
    local text = d[t[1]]
    local at = text and time_of(text)
    if at then
      if t[2] == '<' and not (at < t[3] + SLACK) then return false end
      if t[2] == '>=' and not (at >= t[3] - SLACK) then return false end
    end
  end
  if #metas > 0 and not metadata_may_match(d[5]) then return false end
  if ttl_within then
    local pttl = redis.call('PTTL', key)
    if pttl < 0 or math.floor(pttl / 1000) > ttl_within then return false end
  end
  return true
end

local step = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local out = {step[1], #step[2]}
local filtered = #needed_names > 0
-- A lost device or user alone (the common case): one HGET and one comparison per key, no tables. About
-- a sixth less Redis CPU than the general path at 1M keys with TTLs.
local owner_only = #owners == 1 and not owners[1][3] and #metas == 0 and #times == 0 and not ttl_within
local owner_field, owner_value = owners[1] and FIELDS[owners[1][1]], owners[1] and owners[1][2]
for _, key in ipairs(step[2]) do
  local candidate, wrong = true, false
  if owner_only then
    local got = redis.pcall('HGET', key, owner_field)
    -- An error reply (WRONGTYPE) is a table; a missing field is false.
    if type(got) == 'table' then wrong = true else candidate = got == owner_value end
  elseif filtered then
    local got = redis.pcall('HMGET', key, unpack(needed_names))
    if got.err then
      wrong = true
    else
      local d = {}
      for index, at in pairs(needed) do d[index] = got[at] end
      candidate = may_match(key, d)
    end
  end
  if wrong then
    out[#out + 1] = {key, 'w'}
  elseif candidate then
    local v = read_fields(key)
    if v.err then
      out[#out + 1] = {key, 'w'}
    elseif v[1] or v[2] or v[3] or v[4] or v[5] or redis.call('EXISTS', key) == 1 then
      local entry = {key, 'h', redis.call('PTTL', key), v[1], v[2], v[3], v[4], v[5]}
      if with_digest then entry[9] = digest(v) end
      out[#out + 1] = entry
    end
  end
end
return out
`;

/**
 * Deletes the sessions named in ARGV (key, digest, key, digest …) whose five fields still have that
 * digest: a session changed or replaced since the client judged it is left alone. Reply: {key, user_id,
 * device_id} per deleted session. Keys are in ARGV (see above); all must live on the node it runs on.
 */
export const DELETE_UNCHANGED_LUA = `#!lua flags=allow-cross-slot-keys,allow-oom
${FIELDS}
local out = {}
for i = 1, #ARGV, 2 do
  local key = ARGV[i]
  local v = read_fields(key)
  if not v.err and (v[1] or v[2] or v[3] or v[4] or v[5]) and digest(v) == ARGV[i + 1] then
    redis.call('DEL', key)
    out[#out + 1] = {key, v[1] or '', v[2] or ''}
  end
end
return out
`;

/**
 * What a session key holds, judged as the client judges it (record.ts, scan.ts judgeRecord): shared by
 * the walk's counts (WALK_STATS_LUA) and the sampled estimate (sample-scripts.ts). Expects PARSE_ISO_LUA
 * and the locals `prefix`, `now_ms`, `now_text`, `hour_later_text` (as WALK_STATS_LUA's ARGV) and
 * `HOUR_MS` before it. `judge_session(key, v)` takes the five fields as read and returns 'unusable',
 * 'expired' (expires_at has passed: not active, and not a problem while a TTL will reclaim it), or
 * 'live' with the three group names, whether it expires within the hour, and created_at as read_time
 * gave it. `count_groups(names)` tallies a live session's group names; `append_groups(out)` adds the
 * tallies to the reply.
 */
export const JUDGE_SESSION_LUA = `
local GROUP_FIELDS = {'device_type', 'os', 'app_version'}
-- Live sessions per group name, one table per GROUP_FIELDS entry; append_groups adds them to a reply
-- as flat {name, n, …} lists.
local groups = {{}, {}, {}}
local function count_groups(names)
  for g = 1, 3 do
    local group, name = groups[g], names[g]
    group[name] = (group[name] or 0) + 1
  end
end
local function append_groups(out)
  for g = 1, 3 do
    local flat = {}
    for name, n in pairs(groups[g]) do
      flat[#flat + 1] = name
      flat[#flat + 1] = n
    end
    out[#out + 1] = flat
  end
  return out
end
local NONE = '(none)'
local CANONICAL = '^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%d%d%d%d%+00:00$'

local function utf16_length(s)
  if #s <= 512 then return #s end
  local _, continuation = string.gsub(s, '[\\128-\\191]', '')
  local _, astral = string.gsub(s, '[\\240-\\247]', '')
  return #s - continuation + astral
end
local function id_ok(s) return s and #s > 0 and utf16_length(s) <= 512 end
local function text_of(v)
  local t = type(v)
  if t == 'string' then return v end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' then
    if v == math.floor(v) and math.abs(v) < 1e21 then return v == 0 and '0' or string.format('%.0f', v) end
    return cjson.encode(v)
  end
  if t == 'table' then return cjson.encode(v) end
  return nil
end

-- A timestamp: 'canonical' (compare as text), or its microseconds, or false when it cannot be read.
local day_ok, time_memo = {}, {}
local function read_time(text)
  if string.find(text, CANONICAL) then
    local day = string.sub(text, 1, 10)
    local ok = day_ok[day]
    if ok == nil then
      ok = parse_iso(day .. 'T00:00:00Z') ~= nil
      day_ok[day] = ok
    end
    if ok and string.sub(text, 12, 13) <= '23' and string.sub(text, 15, 16) <= '59' and string.sub(text, 18, 19) <= '59' then return 'canonical' end
    return false
  end
  local at = time_memo[text]
  if at == nil then
    at = parse_iso(text) or false
    time_memo[text] = at
  end
  return at
end

-- Metadata: false when it is not a JSON object, else the three group names.
local metadata_memo = {}
local EMPTY = {NONE, NONE, NONE}
local function groups_of(raw)
  if not raw or raw == '' then return EMPTY end
  local known = metadata_memo[raw]
  if known ~= nil then return known end
  local answer = false
  if #raw <= 65536 or utf16_length(raw) <= 65536 then
    local decoded, doc = pcall(cjson.decode, raw)
    if decoded and type(doc) == 'table' and string.match(raw, '^%s*{') then
      answer = {}
      for g = 1, 3 do answer[g] = text_of(doc[GROUP_FIELDS[g]]) or NONE end
    end
  end
  metadata_memo[raw] = answer
  return answer
end

local function judge_session(key, v)
  local id = string.sub(key, #prefix + 1)
  local created_at = v[3] and #v[3] <= 64 and read_time(v[3])
  local expires_at = v[4] and #v[4] <= 64 and read_time(v[4])
  local names = created_at and expires_at and #id == 64 and not string.find(id, '[^0-9a-f]') and id_ok(v[1]) and id_ok(v[2]) and groups_of(v[5])
  if not names then return 'unusable' end
  local expired, within_hour
  if expires_at == 'canonical' then
    expired = v[4] <= now_text
    within_hour = v[4] <= hour_later_text
  else
    expired = expires_at <= now_ms * 1000
    within_hour = expires_at / 1000 - now_ms <= HOUR_MS
  end
  if expired then
    if redis.call('PTTL', key) == -1 then return 'unusable' end
    return 'expired'
  end
  return 'live', names, within_hour, created_at
end
`;

/**
 * One walk step of the analytics: counts, never hashes. Mirrors what the client-side aggregation
 * counts (analytics.ts): a live session has a key of the prefix and 64 hex digits, both ids (1 to 512
 * UTF-16 units), readable timestamps, metadata that is a JSON object, and expires_at in the future.
 *   ARGV: cursor, pattern, count, prefix, now (ms), first hour (ms), hours, now and now + 1 h as the
 *     server writes timestamps (…ffffff+00:00), the UTC hours of the window as YYYY-MM-DDTHH, joined by ','
 *   reply: {next cursor, keys SCAN returned, live, unusable, expiring within the hour,
 *     {live sessions created per hour…}, {device_type, n, …}, {os, n, …}, {app_version, n, …}}
 * Metadata values are grouped as text: strings as they are, booleans as true/false, whole numbers in
 * digits; other numbers, objects and arrays as Redis' cjson writes them (which can differ from
 * JavaScript's JSON.stringify, e.g. for 0.1 + 0.2).
 *
 * Cheap for Redis where it can be: a timestamp in the server's own form (…ffffff+00:00) is compared as
 * text (that form sorts by time) and put in its hour by its first 13 characters; a metadata text is
 * decoded once per call however many sessions share it.
 */
export const WALK_STATS_LUA = `#!lua flags=no-writes,allow-cross-slot-keys
${PARSE_ISO_LUA}
${FIELDS}
local prefix, now_ms, first_hour, hours = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local now_text, hour_later_text = ARGV[8], ARGV[9]
local HOUR_MS = 3600000
local created = {}
local bucket_of_hour = {}
do
  local h = 0
  for name in string.gmatch(ARGV[10], '[^,]+') do
    h = h + 1
    bucket_of_hour[name] = h
    created[h] = 0
  end
end
${JUDGE_SESSION_LUA}

local step = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local live, unusable, expiring = 0, 0, 0
for _, key in ipairs(step[2]) do
  local v = read_fields(key)
  if v.err then
    unusable = unusable + 1
  elseif v[1] or v[2] or v[3] or v[4] or v[5] or redis.call('EXISTS', key) == 1 then
    local verdict, names, within_hour, created_at = judge_session(key, v)
    if verdict == 'unusable' then
      unusable = unusable + 1
    elseif verdict == 'live' then
      live = live + 1
      count_groups(names)
      local bucket
      if created_at == 'canonical' then
        bucket = bucket_of_hour[string.sub(v[3], 1, 13)]
      else
        local index = math.floor((math.floor(created_at / 1000) - first_hour) / HOUR_MS)
        if index >= 0 and index < hours then bucket = index + 1 end
      end
      if bucket then created[bucket] = created[bucket] + 1 end
      if within_hour then expiring = expiring + 1 end
    end
  end
end
return append_groups({step[1], #step[2], live, unusable, expiring, created})
`;
