/*
 * The read-only Lua script that reads one page's whole state in a single
 * round trip, so a load never mixes two versions.  Layout: se_state.h.
 *
 *   EVAL SE_SNAPSHOT_LUA 0 prefix max_records max_updates max_value
 *
 * Keys of the wrong type read as empty (redis.pcall), so hand-made garbage
 * in one key cannot fail the whole load.  A value longer than max_value
 * bytes is replaced by "\0oversize:<length>", which the core rejects as
 * an invalid field, so one huge value cannot bloat every worker.
 */

#ifndef SE_SNAPSHOT_H
#define SE_SNAPSHOT_H

#define SE_SNAPSHOT_MAX_RECORDS  "200"
#define SE_SNAPSHOT_MAX_UPDATES  "100"
#define SE_SNAPSHOT_MAX_VALUE    "65536"

#define SE_SNAPSHOT_LUA                                                      \
    "local p = ARGV[1]\n"                                                    \
    "local nmax = tonumber(ARGV[2])\n"                                       \
    "local umax = tonumber(ARGV[3])\n"                                       \
    "local vmax = tonumber(ARGV[4])\n"                                       \
    "local function safe(r)\n"                                               \
    "  if type(r) ~= 'table' or r.err then return {} end\n"                  \
    "  for i = 1, #r do\n"                                                   \
    "    if type(r[i]) == 'string' and #r[i] > vmax then\n"                  \
    "      r[i] = '\\0oversize:' .. #r[i]\n"                                  \
    "    end\n"                                                              \
    "  end\n"                                                                \
    "  return r\n"                                                           \
    "end\n"                                                                  \
    "local function records(kind, zkey, rev, withupdates)\n"                 \
    "  local cmd = 'ZRANGE'\n"                                               \
    "  if rev then cmd = 'ZREVRANGE' end\n"                                  \
    "  local ids = safe(redis.pcall(cmd, p .. zkey, 0, nmax - 1,\n"          \
    "                               'WITHSCORES'))\n"                        \
    "  local out = {}\n"                                                     \
    "  for i = 1, #ids - 1, 2 do\n"                                          \
    "    local key = p .. kind .. ':' .. ids[i]\n"                           \
    "    local rec = {ids[i], ids[i + 1],\n"                                  \
    "                 safe(redis.pcall('HGETALL', key))}\n"                  \
    "    if withupdates then\n"                                              \
    "      rec[4] = safe(redis.pcall('LRANGE', key .. ':updates', 0,\n"      \
    "                                umax - 1))\n"                           \
    "    end\n"                                                              \
    "    out[#out + 1] = rec\n"                                              \
    "  end\n"                                                                \
    "  return out\n"                                                         \
    "end\n"                                                                  \
    "local v = redis.pcall('GET', p .. 'version')\n"                         \
    "if type(v) ~= 'string' then v = false end\n"                            \
    "local t = redis.call('TIME')\n"                                         \
    "return {v, safe(redis.pcall('HGETALL', p .. 'page')),\n"                \
    "        records('component', 'components', false, false),\n"           \
    "        records('incident', 'incidents', true, true),\n"                \
    "        records('maintenance', 'maintenances', true, true),\n"          \
    "        t[1]}\n"

#endif /* SE_SNAPSHOT_H */
