import { defineScript } from '../script-runner.js';

/**
 * Lua shared by the queue scripts. `ARGV[4]` is the encoded queue name. Keys of one queue:
 * `q:<q>:j:<id>` job hash (p payload, m maxAttempts, a attempts, t token, s seq as 16 hex
 * digits), `q:<q>:r` ready and delayed jobs scored by availableAt with `seq .. id` members (so
 * ties come out in enqueue order), `q:<q>:l` leased jobs scored by visibleUntil, `q:<q>:d` dead
 * jobs scored by failedAt with id members (so ties list in id order), `q:<q>:n` the sequence.
 */
const QUEUE_PRELUDE = `
local Q = P .. 'q:' .. ARGV[4] .. ':'
local READY, LEASED, DEAD = Q .. 'r', Q .. 'l', Q .. 'd'
local function jkey(id) return Q .. 'j:' .. id end

-- Ends every lease that ran out by NOW: the job is ready again from its lease end, or dead
-- (failed at its lease end) once its attempts are used up.
local function settle()
  local ended = redis.call('ZRANGEBYSCORE', LEASED, '-inf', ARGV[2], 'WITHSCORES')
  for i = 1, #ended, 2 do
    local id, until_ = ended[i], ended[i + 1]
    local job = redis.call('HMGET', jkey(id), 'a', 'm', 's')
    redis.call('ZREM', LEASED, id)
    redis.call('HSET', jkey(id), 't', '')
    if tonumber(job[1]) >= tonumber(job[2]) then
      redis.call('ZADD', DEAD, until_, id)
    else
      redis.call('ZADD', READY, until_, job[3] .. id)
    end
  end
end

-- 1 when token ARGV[6] holds the live lease of job ARGV[5], else 0.
local function held()
  local id = ARGV[5]
  local t = redis.call('HGET', jkey(id), 't')
  if not t or t == '' or t ~= ARGV[6] then return 0 end
  local until_ = redis.call('ZSCORE', LEASED, id)
  if not until_ or tonumber(until_) <= NOW then return 0 end
  return 1
end
`;

function queueScript(name: string, body: string) {
  return defineScript(name, `${QUEUE_PRELUDE}\n${body}`);
}

/** Adds jobs given as ARGV[5..] quadruples (id, payload, availableAt, maxAttempts); returns how many. */
export const enqueueJobs = queueScript(
  'queue.enqueue',
  `local added = 0
for i = 5, #ARGV, 4 do
  local id = ARGV[i]
  if redis.call('EXISTS', jkey(id)) == 0 then
    local s = string.format('%016x', redis.call('INCR', Q .. 'n'))
    redis.call('HSET', jkey(id), 'p', ARGV[i + 1], 'm', ARGV[i + 3], 'a', 0, 't', '', 's', s)
    redis.call('ZADD', READY, ARGV[i + 2], s .. id)
    added = added + 1
  end
end
return added`,
);

/**
 * Leases up to ARGV[6] ready jobs until ARGV[5]; tokens are ARGV[7] (random per call) plus a
 * counter. Returns flat quintuples (id, payload, attempts, maxAttempts, token).
 */
export const dequeueJobs = queueScript(
  'queue.dequeue',
  `settle()
local picked = redis.call('ZRANGEBYSCORE', READY, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[6]))
local out = {}
for i, m in ipairs(picked) do
  local id = string.sub(m, 17)
  local token = ARGV[7] .. '.' .. i
  redis.call('ZREM', READY, m)
  local a = redis.call('HINCRBY', jkey(id), 'a', 1)
  redis.call('HSET', jkey(id), 't', token)
  redis.call('ZADD', LEASED, ARGV[5], id)
  local job = redis.call('HMGET', jkey(id), 'p', 'm')
  out[#out + 1] = id
  out[#out + 1] = job[1]
  out[#out + 1] = a
  out[#out + 1] = job[2]
  out[#out + 1] = token
end
return out`,
);

/** Removes job ARGV[5] if token ARGV[6] holds its live lease; returns 1, or 0 when lost. */
export const ackJob = queueScript(
  'queue.ack',
  `if held() == 0 then return 0 end
redis.call('DEL', jkey(ARGV[5]))
redis.call('ZREM', LEASED, ARGV[5])
return 1`,
);

/**
 * Ends the lease of job ARGV[5] held by token ARGV[6]: ready at ARGV[7], or dead at NOW when
 * out of attempts. Returns 'queued', 'dead', or 'lost'.
 */
export const nackJob = queueScript(
  'queue.nack',
  `if held() == 0 then return 'lost' end
local id = ARGV[5]
local job = redis.call('HMGET', jkey(id), 'a', 'm', 's')
redis.call('ZREM', LEASED, id)
redis.call('HSET', jkey(id), 't', '')
if tonumber(job[1]) >= tonumber(job[2]) then
  redis.call('ZADD', DEAD, ARGV[2], id)
  return 'dead'
end
redis.call('ZADD', READY, ARGV[7], job[3] .. id)
return 'queued'`,
);

/** Moves the live lease of job ARGV[5] held by token ARGV[6] to end at ARGV[7]; 0 when lost. */
export const extendJob = queueScript(
  'queue.extend',
  `if held() == 0 then return 0 end
redis.call('ZADD', LEASED, ARGV[7], ARGV[5])
return 1`,
);

/** Counts {ready, delayed, leased, dead} at NOW. */
export const queueSizes = queueScript(
  'queue.size',
  `settle()
return {
  redis.call('ZCOUNT', READY, '-inf', ARGV[2]),
  redis.call('ZCOUNT', READY, '(' .. ARGV[2], '+inf'),
  redis.call('ZCARD', LEASED),
  redis.call('ZCARD', DEAD),
}`,
);

/**
 * One page of dead jobs: ARGV[5] limit, ARGV[6] '1' when ARGV[7] (failedAt) and ARGV[8]
 * (encoded id) give the position to start after. Returns flat quadruples (id, payload,
 * attempts, failedAt).
 */
export const deadJobs = queueScript(
  'queue.deadLetters',
  `settle()
local limit = tonumber(ARGV[5])
local found = {}
if ARGV[6] == '1' then
  -- Jobs failed at the cursor's own moment follow it only when their id sorts after it.
  local ties = redis.call('ZRANGEBYSCORE', DEAD, ARGV[7], ARGV[7], 'WITHSCORES')
  for i = 1, #ties, 2 do
    if #found >= limit * 2 then break end
    if ties[i] > ARGV[8] then
      found[#found + 1] = ties[i]
      found[#found + 1] = ties[i + 1]
    end
  end
  if #found < limit * 2 then
    local rest = redis.call('ZRANGEBYSCORE', DEAD, '(' .. ARGV[7], '+inf', 'WITHSCORES',
      'LIMIT', 0, limit - #found / 2)
    for _, v in ipairs(rest) do found[#found + 1] = v end
  end
else
  found = redis.call('ZRANGEBYSCORE', DEAD, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
end
local out = {}
for i = 1, #found, 2 do
  local job = redis.call('HMGET', jkey(found[i]), 'p', 'a')
  out[#out + 1] = found[i]
  out[#out + 1] = job[1]
  out[#out + 1] = job[2]
  out[#out + 1] = found[i + 1]
end
return out`,
);

/** Moves the dead jobs ARGV[5..] back to ready at NOW with 0 attempts; returns how many. */
export const replayJobs = queueScript(
  'queue.replay',
  `settle()
local moved = 0
for i = 5, #ARGV do
  local id = ARGV[i]
  if redis.call('ZREM', DEAD, id) == 1 then
    local s = string.format('%016x', redis.call('INCR', Q .. 'n'))
    redis.call('HSET', jkey(id), 'a', 0, 's', s)
    redis.call('ZADD', READY, ARGV[2], s .. id)
    moved = moved + 1
  end
end
return moved`,
);
