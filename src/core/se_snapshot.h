/*
 * The read-only Lua script that reads one page's whole state in a single
 * round trip, so a load never mixes two versions.  Layout: se_state.h.
 *
 *   EVAL SE_SNAPSHOT_LUA 0 prefix history updates value fields bytes
 *        [window changes]
 *
 * Bounded whatever a hand edit wrote, and never at the cost of what is
 * open:
 *
 *   - every component, every unresolved incident and every scheduled or
 *     active maintenance is read; only resolved history is trimmed: past
 *     the "history" newest records, or once the reply holds "bytes"
 *     bytes; the records left out are counted in the reply ([6]);
 *   - at most "updates" updates per record;
 *   - a value longer than "value" bytes is never read: it is replaced by
 *     "\0oversize:<length>", which the core rejects as an invalid field;
 *   - a hash of more than "fields" fields, or too big to read whole, is
 *     read field by field, known fields only ([6] counts such hashes);
 *   - an update list too big to read whole is read one update at a time.
 *
 * With "window" (seconds), each component's record has a fourth element:
 * its Pcomponent:ID:history entries of the last "window" seconds before
 * Redis' TIME, with the one before them (the status the window starts
 * in), at most "changes" of them, as member, score pairs in score order.
 *
 * Keys of the wrong type read as empty (redis.pcall), so hand-made garbage
 * in one key cannot fail the whole load.
 *
 * Preset, the Unix milliseconds of the last "status-edge reset", comes
 * last ([7]): a state saved by a build that did not read it has 7
 * elements and reads as never reset.
 */

#ifndef SE_SNAPSHOT_H
#define SE_SNAPSHOT_H

#define SE_SNAPSHOT_MAX_HISTORY  "200"
#define SE_SNAPSHOT_MAX_UPDATES  "100"
#define SE_SNAPSHOT_MAX_VALUE    "65536"
#define SE_SNAPSHOT_MAX_FIELDS   "64"
#define SE_SNAPSHOT_MAX_BYTES    "4194304"
#define SE_SNAPSHOT_MAX_CHANGES  "4096"

#define SE_SNAPSHOT_LUA                                                      \
    "local p = ARGV[1]\n"                                                    \
    "local hmax = tonumber(ARGV[2])\n"                                       \
    "local umax = tonumber(ARGV[3])\n"                                       \
    "local vmax = tonumber(ARGV[4])\n"                                       \
    "local fmax = tonumber(ARGV[5])\n"                                       \
    "local bmax = tonumber(ARGV[6])\n"                                       \
    "local hsec = tonumber(ARGV[7] or '0') or 0\n"                           \
    "local cmax = tonumber(ARGV[8] or '0') or 0\n"                           \
    "local bytes, limited, since = 0, 0, 0\n"                                \
    "local known = {'id', 'name', 'url', 'time_zone', 'status_url',\n"       \
    "  'status', 'description', 'group_id', 'only_show_if_degraded',\n"      \
    "  'created_at', 'updated_at', 'impact', 'monitoring_at',\n"             \
    "  'resolved_at', 'started_at', 'next_update_at', 'shortlink',\n"        \
    "  'postmortem_url', 'components', 'audience', 'banner',\n"             \
    "  'scheduled_for', 'scheduled_until', 'gate', 'banner_lead',\n"          \
    "  'uptime'}\n"                                                          \
    "for _, f in ipairs({'name', 'description'}) do\n"                       \
    "  for _, l in ipairs({'en', 'ko'}) do\n"                                \
    "    known[#known + 1] = f .. '.' .. l\n"                                \
    "  end\n"                                                                \
    "end\n"                                                                  \
    "local function size(key)\n"                                             \
    "  local m = redis.pcall('MEMORY', 'USAGE', key, 'SAMPLES', '0')\n"      \
    "  if type(m) == 'number' then return m end\n"                           \
    "  return math.huge\n"                                                   \
    "end\n"                                                                  \
    "local function safe(r)\n"                                               \
    "  if type(r) ~= 'table' or r.err then return {} end\n"                  \
    "  for i = 1, #r do\n"                                                   \
    "    if type(r[i]) == 'string' then\n"                                   \
    "      if #r[i] > vmax then r[i] = '\\0oversize:' .. #r[i] end\n"         \
    "      bytes = bytes + #r[i]\n"                                          \
    "    end\n"                                                              \
    "  end\n"                                                                \
    "  return r\n"                                                           \
    "end\n"                                                                  \
    "local function value(v, len)\n"                                         \
    "  if len > vmax then return '\\0oversize:' .. len end\n"                 \
    "  bytes = bytes + len\n"                                                \
    "  return v()\n"                                                         \
    "end\n"                                                                  \
    "local function hash(key)\n"                                             \
    "  local n = redis.pcall('HLEN', key)\n"                                 \
    "  if type(n) ~= 'number' or n == 0 then return {} end\n"                \
    "  if n <= fmax and size(key) <= 2 * vmax then\n"                        \
    "    return safe(redis.pcall('HGETALL', key))\n"                         \
    "  end\n"                                                                \
    "  limited = limited + 1\n"                                              \
    "  local out = {}\n"                                                     \
    "  for _, f in ipairs(known) do\n"                                       \
    "    local len = redis.pcall('HSTRLEN', key, f)\n"                       \
    "    if type(len) == 'number' and len > 0 then\n"                        \
    "      out[#out + 1] = f\n"                                              \
    "      out[#out + 1] = value(function ()\n"                              \
    "        return redis.pcall('HGET', key, f) end, len)\n"                 \
    "    end\n"                                                              \
    "  end\n"                                                                \
    "  return out\n"                                                         \
    "end\n"                                                                  \
    "local function updates(key)\n"                                          \
    "  if size(key) <= 16 * vmax then\n"                                     \
    "    return safe(redis.pcall('LRANGE', key, 0, umax - 1))\n"             \
    "  end\n"                                                                \
    "  local out = {}\n"                                                     \
    "  for i = 0, umax - 1 do\n"                                             \
    "    local u = redis.pcall('LINDEX', key, i)\n"                          \
    "    if type(u) ~= 'string' then break end\n"                            \
    "    out[#out + 1] = value(function () return u end, #u)\n"              \
    "    u = nil\n"                                                          \
    "  end\n"                                                                \
    "  return out\n"                                                         \
    "end\n"                                                                  \
    "local function history(key)\n"                                         \
    "  if hsec <= 0 or cmax <= 0 then return nil end\n"                     \
    "  local out = safe(redis.pcall('ZRANGEBYSCORE', key, since, '+inf',\n"  \
    "                               'WITHSCORES', 'LIMIT', 0, cmax))\n"     \
    "  local b = safe(redis.pcall('ZREVRANGEBYSCORE', key, '(' .. since,\n"  \
    "                             '-inf', 'WITHSCORES', 'LIMIT', 0, 1))\n"  \
    "  if #b == 2 then\n"                                                   \
    "    table.insert(out, 1, b[2])\n"                                      \
    "    table.insert(out, 1, b[1])\n"                                      \
    "  end\n"                                                               \
    "  return out\n"                                                        \
    "end\n"                                                                 \
    "local function open(key, statuses)\n"                                   \
    "  local len = redis.pcall('HSTRLEN', key, 'status')\n"                  \
    "  if type(len) ~= 'number' or len == 0 or len > 16 then\n"              \
    "    return false\n"                                                     \
    "  end\n"                                                                \
    "  return statuses[redis.pcall('HGET', key, 'status')] == true\n"        \
    "end\n"                                                                  \
    "local function records(kind, zkey, rev, statuses)\n"                    \
    "  local cmd = 'ZRANGE'\n"                                               \
    "  if rev then cmd = 'ZREVRANGE' end\n"                                  \
    "  local out, kept, trimmed, from = {}, 0, 0, 0\n"                       \
    "  while true do\n"                                                      \
    "    local ids = safe(redis.pcall(cmd, p .. zkey, from, from + 255,\n"   \
    "                                 'WITHSCORES'))\n"                      \
    "    if #ids == 0 then break end\n"                                      \
    "    from = from + 256\n"                                                \
    "    for i = 1, #ids - 1, 2 do\n"                                        \
    "      local key = p .. kind .. ':' .. ids[i]\n"                         \
    "      local keep = statuses == nil\n"                                   \
    "      if not keep and kept < hmax and bytes < bmax then\n"              \
    "        keep = true\n"                                                  \
    "        kept = kept + 1\n"                                              \
    "      elseif not keep then\n"                                           \
    "        keep = open(key, statuses)\n"                                   \
    "        if not keep then trimmed = trimmed + 1 end\n"                   \
    "      end\n"                                                            \
    "      if keep then\n"                                                   \
    "        local rec = {ids[i], ids[i + 1], hash(key)}\n"                  \
    "        if statuses then rec[4] = updates(key .. ':updates')\n"         \
    "        else rec[4] = history(key .. ':history') end\n"                 \
    "        out[#out + 1] = rec\n"                                          \
    "      end\n"                                                            \
    "    end\n"                                                              \
    "  end\n"                                                                \
    "  return out, trimmed\n"                                                \
    "end\n"                                                                  \
    "local v = redis.pcall('GET', p .. 'version')\n"                         \
    "if type(v) ~= 'string' then v = false end\n"                            \
    "local r = redis.pcall('GET', p .. 'reset')\n"                           \
    "if type(r) ~= 'string' then r = false end\n"                            \
    "local t = redis.call('TIME')\n"                                         \
    "since = tonumber(t[1]) - hsec\n"                                        \
    "local page = hash(p .. 'page')\n"                                       \
    "local comps = records('component', 'components', false, nil)\n"         \
    "local incs, itrim = records('incident', 'incidents', true,\n"           \
    "  {investigating = true, identified = true, monitoring = true})\n"      \
    "local mnts, mtrim = records('maintenance', 'maintenances', true,\n"     \
    "  {scheduled = true, in_progress = true, verifying = true})\n"          \
    "return {v, page, comps, incs, mnts, t[1], {itrim, mtrim, limited}, r}\n"

#endif /* SE_SNAPSHOT_H */
