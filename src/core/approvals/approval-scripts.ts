// The Lua scripts behind ApprovalStore: each one transition, atomic on one hash, so two clicks at
// the same moment can never both complete a request. A request hash holds:
//   request      JSON of what never changes (summary, payload, requester, rule, thread, times)
//   status       pending | approved | denied | expired | cancelled
//   requesterId, count, allowSelf ('1' or '0'), expiresAt (ms): what the scripts decide on
//   approvals    JSON list of { by, at }, appended as text so Lua never re-encodes user data
//   n            approvals so far;  by:<user id>  set once that user approved
//   decidedBy    JSON { by, at, decision } once approved, denied or cancelled

// Shared start of decide and cancel: ARGV[2] is now (ms). A pending request past its expiry
// becomes expired here, at decision time. reply() returns {outcome, detail, ...HGETALL}.
const PRELUDE = `
local key = KEYS[1]
local function reply(outcome, detail)
  local out = {outcome, detail}
  for _, v in ipairs(redis.call('HGETALL', key)) do out[#out + 1] = v end
  return out
end
if redis.call('EXISTS', key) == 0 then return {'missing', ''} end
local status = redis.call('HGET', key, 'status')
if status == 'pending' and tonumber(ARGV[2]) >= tonumber(redis.call('HGET', key, 'expiresAt')) then
  status = 'expired'
  redis.call('HSET', key, 'status', status)
end
if status ~= 'pending' then return reply('closed', status) end
`;

// open-1
// KEYS[1]: the request hash. ARGV[1]: TTL of the key in ms; ARGV[2..]: field, value, …
// Output: 1 when created, 0 when the id is taken (nothing is changed then).
export const OPEN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

// decide-1
// KEYS[1]: the request hash. ARGV[1]: user id; ARGV[2]: now (ms); ARGV[3]: approve | deny;
// ARGV[4]: '1' when the policy lets the user approve; ARGV[5]: approval entry JSON { by, at };
// ARGV[6]: decision JSON { by, at, decision }.
// Output: {outcome, detail, ...fields}: recorded | approved | denied, refused with self |
// not-approver | again, closed with the status, or {missing}.
export const DECIDE = `${PRELUDE}
local user = ARGV[1]
if ARGV[3] == 'deny' then
  if ARGV[4] ~= '1' then return reply('refused', 'not-approver') end
  redis.call('HSET', key, 'status', 'denied', 'decidedBy', ARGV[6])
  return reply('denied', '')
end
if user == redis.call('HGET', key, 'requesterId') and redis.call('HGET', key, 'allowSelf') ~= '1' then
  return reply('refused', 'self')
end
if ARGV[4] ~= '1' then return reply('refused', 'not-approver') end
if redis.call('HSETNX', key, 'by:' .. user, ARGV[2]) == 0 then return reply('refused', 'again') end
local approvals = redis.call('HGET', key, 'approvals')
if approvals == '[]' then
  approvals = '[' .. ARGV[5] .. ']'
else
  approvals = string.sub(approvals, 1, -2) .. ',' .. ARGV[5] .. ']'
end
redis.call('HSET', key, 'approvals', approvals)
local n = redis.call('HINCRBY', key, 'n', 1)
if n >= tonumber(redis.call('HGET', key, 'count')) then
  redis.call('HSET', key, 'status', 'approved', 'decidedBy', ARGV[6])
  return reply('approved', '')
end
return reply('recorded', '')`;

// cancel-1
// KEYS[1]: the request hash. ARGV[1]: user id; ARGV[2]: now (ms); ARGV[3]: decision JSON.
// Output: {cancelled}, {refused, not-requester}, {closed, status} or {missing}.
export const CANCEL = `${PRELUDE}
if ARGV[1] ~= redis.call('HGET', key, 'requesterId') then return reply('refused', 'not-requester') end
redis.call('HSET', key, 'status', 'cancelled', 'decidedBy', ARGV[3])
return reply('cancelled', '')`;
