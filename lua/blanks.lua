-- blanks.lua — worksheet blanks (SPEC §3).
-- The parser has already made every `[[...]]` and `_____` a Blank node: its
-- width is the underscore run's length, or for `[[...]]` a size step (8, 16,
-- 24, 32, 48 ch) that does not reveal the answer; in editions without the
-- `answer` role the answer is already gone. The writers render
-- `class="blank"` (empty) or `class="blank filled"` (with node.answer).
-- This filter keeps widths sane: `[[...]]` widths stay on a size step,
-- underscore runs stay between 5 and 60 ch, and labelled fill-ins (from the
-- vars filter) are at least 16 ch wide so a name fits on the line.
-- Copy it into your course's filters/ to change the policy.

local MIN_RUN, MAX_RUN = 5, 60
local MIN_FILL_IN = 16
local blank_step = course.blank_step

return {
  Blank = function(node, ctx)
    local width = node.width
    local w = width or 0
    if node.underscore then
      if w < MIN_RUN then w = MIN_RUN elseif w > MAX_RUN then w = MAX_RUN end
    elseif node.label then
      if w < MIN_FILL_IN then w = MIN_FILL_IN end
      w = blank_step(w)
    else
      -- never derive the width from the answer here: the learner edition
      -- has no answer and both editions must agree
      w = blank_step(w > 0 and w or 1)
    end
    if w ~= width then node.width = w end
  end,
}
