"""The relay's Lua scripts: each runs atomically inside Redis, so two relay processes
can never half-apply a change (``Store`` registers and calls them)."""

APPEND = """
local existing = false
if ARGV[1] ~= '' then existing = redis.call('HGET', KEYS[2], ARGV[1]) end
if existing then return {existing, 0, redis.call('HGET', KEYS[3], 'mode') or ''} end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[2], 'a', ARGV[3])
if ARGV[9] ~= '' then
  redis.call('RPUSH', ARGV[9], ARGV[10])
  redis.call('EXPIRE', ARGV[9], ARGV[4])
end
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], id)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[3], 'updated_at', ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[4])
local mode = redis.call('HGET', KEYS[3], 'mode')
if mode then
  redis.call('ZADD', ARGV[8] .. mode, ARGV[6], ARGV[7])
  redis.call('EXPIRE', ARGV[8] .. mode, ARGV[4])
end
redis.call('PUBLISH', ARGV[5], ARGV[7] .. ' ' .. id)
return {id, 1, mode or ''}
"""

# KEYS: conv, log, queue, chats_from, chats_to   (chats_* may be the same dummy key)
# ARGV: cid, allowed modes (comma list), new mode, fields json, event json, ttl, channel,
#       queue op ('add' | 'rem' | ''), queue score, chats_from op ('rem' | ''),
#       chats_to op ('add' | ''), capacity for chats_to, now ms, require advisor ('' or user),
#       prefix of the per-mode activity sets, prefix of the advisors' chat sets
# queue op 'auto' and chats_from op 'auto' take the conversation out of the queue and out of
# whichever advisor holds it, decided from the stored state inside the script (no race).
# A non-empty 'advisor' field (a claim or a transfer) is also added to the conversation's
# 'held_by' list (comma-separated usernames), here so that no holder can ever be missed:
# access.py lets past holders keep reading.
# Returns {'ok', previous mode, status event id, previous advisor}.
TRANSITION = """
local mode = redis.call('HGET', KEYS[1], 'mode')
if not mode then return {'unknown_conversation'} end
local allowed = false
for m in string.gmatch(ARGV[2], '[^,]+') do if m == mode then allowed = true end end
if not allowed then return {'wrong_mode', mode} end
if ARGV[14] ~= '' and redis.call('HGET', KEYS[1], 'advisor') ~= ARGV[14] then return {'not_yours', mode} end
if ARGV[11] == 'add' and redis.call('SCARD', KEYS[5]) >= tonumber(ARGV[12]) then return {'at_capacity', mode} end
if ARGV[8] == 'rem' then
  if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 and mode == 'queued' then return {'already_claimed', mode} end
elseif ARGV[8] == 'add' then
  redis.call('ZADD', KEYS[3], ARGV[9], ARGV[1])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
elseif ARGV[8] == 'auto' then
  redis.call('ZREM', KEYS[3], ARGV[1])
end
if ARGV[10] == 'rem' then redis.call('SREM', KEYS[4], ARGV[1]) end
local owner = redis.call('HGET', KEYS[1], 'advisor')
if ARGV[10] == 'auto' and owner and owner ~= '' then redis.call('SREM', ARGV[16] .. owner, ARGV[1]) end
if ARGV[11] == 'add' then
  redis.call('SADD', KEYS[5], ARGV[1])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
local fields = cjson.decode(ARGV[4])
redis.call('HSET', KEYS[1], 'mode', ARGV[3], 'updated_at', ARGV[13])
redis.call('ZREM', ARGV[15] .. mode, ARGV[1])
redis.call('ZADD', ARGV[15] .. ARGV[3], ARGV[13], ARGV[1])
redis.call('EXPIRE', ARGV[15] .. ARGV[3], ARGV[6])
for k, v in pairs(fields) do
  if v == '' then redis.call('HDEL', KEYS[1], k) else redis.call('HSET', KEYS[1], k, v) end
end
local holder = fields['advisor']
if holder and holder ~= '' then
  local held = redis.call('HGET', KEYS[1], 'held_by') or ''
  if not string.find(',' .. held .. ',', ',' .. holder .. ',', 1, true) then
    if held == '' then held = holder else held = held .. ',' .. holder end
    redis.call('HSET', KEYS[1], 'held_by', held)
  end
end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[5], 'a', 'all')
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[7], ARGV[1] .. ' ' .. id)
return {'ok', mode, id, owner or ''}
"""

# Delete the outbox's lock only if it is still the one we set.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

# Set a message aside (KEYS[1], a sorted set scored by when the message was left) and take
# it out of the outbox (KEYS[2]); then forget what is older than the retention period and
# let the key expire when its newest message must go.
# ARGV: entry ('' = only tidy), when the message was left (ms), retention (ms),
#       outbox entry to remove (''), now (ms). Returns how many are set aside.
# A list here was written by an earlier version (raw messages, no time): it becomes the
# sorted set, each message counted as set aside now.
SET_ASIDE = """
if redis.call('TYPE', KEYS[1]).ok == 'list' then
  local old = redis.call('LRANGE', KEYS[1], 0, -1)
  redis.call('DEL', KEYS[1])
  for _, raw in ipairs(old) do
    redis.call('ZADD', KEYS[1], ARGV[5], '{"reason": "", "set_aside_at": ' .. ARGV[5] .. ', "message": ' .. raw .. '}')
  end
end
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('LREM', KEYS[2], 1, ARGV[4]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[5]) - tonumber(ARGV[3])))
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] then redis.call('PEXPIREAT', KEYS[1], tonumber(newest[2]) + tonumber(ARGV[3])) end
return redis.call('ZCARD', KEYS[1])
"""
