"""Claiming case news for a conversation (part of ``Store``): one atomic Redis step.

Two tabs (or relay processes) resuming the same conversation at once each look the cases
up and find the same change; only the one whose claim records it may announce it, so
"Your report NB-… is now fixed" is said once per change per conversation.

The status told stays where it was, in the conversation's hash (field ``cases_told``, a
JSON object of reference to status), so it expires with the conversation
(``RELAY_RETENTION_DAYS``) and no key of its own is kept.
"""

from __future__ import annotations

from live_handoff.store_base import StoreBase

# KEYS: the conversation hash. ARGV: the field, the status a case starts as, then
# reference, status pairs. Records each status not yet told and returns those references;
# nothing when the conversation has expired (a hash written now would never expire).
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local told = {}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local ok, value = pcall(cjson.decode, raw)
  if ok and type(value) == 'table' then told = value end
end
local claimed = {}
for i = 3, #ARGV, 2 do
  local reference, status = ARGV[i], ARGV[i + 1]
  if (told[reference] or ARGV[2]) ~= status then
    told[reference] = status
    claimed[#claimed + 1] = reference
  end
end
if #claimed > 0 then redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(told)) end
return claimed
"""


class CaseNewsStore(StoreBase):
    """The claim for ``live_handoff.case_news``."""

    async def claim_case_news(
        self, cid: str, changes: list[tuple[str, str]], field: str, first_status: str
    ) -> list[tuple[str, str]]:
        """Record these (reference, status) changes as told, atomically; returns the ones this caller may say.

        A change another caller claimed first (the same status already recorded) is left out.
        """
        if not changes:
            return []
        script = self.redis.register_script(_CLAIM)
        args = [field, first_status, *(part for change in changes for part in change)]
        claimed = set(await script(keys=[self.key("conv", cid)], args=args))
        return [change for change in changes if change[0] in claimed]
