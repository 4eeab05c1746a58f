-- answers.lua — labels and layout for the standard classes (SPEC §2.3).
-- The C core has already removed what the edition may not show (answers,
-- facilitator notes, model answers, the [x] marks of a choice); this filter
-- only presents what is left:
--   answer → box titled "Answer"; facilitator → "Facilitator note";
--   response → N ruled lines (lines=N, default 3) where the edition has no
--     answers or the author gave no model answer, else the model answer with
--     class `model-answer`;
--   choice → in editions with answers, ticked options get class `correct`
--     (the radio buttons of `select=one` are the writers': an <input> is no
--     node a filter builds, and they must not depend on the filter chain);
--   hint → "Hint"; note/tip/warning/important → "Note", "Tip", ...;
--   exercise/activity → the author's title=, else the first heading stays
--     as the title (a box with no heading is titled "Exercise"/"Activity").
-- A title= written by the author always wins. The titles are the theme's
-- labels in the course's language (ctx.label, docs/filters.md).

-- The label key of each labelled class.
local TITLES = {
  answer = "answer",
  facilitator = "facilitator_note",
  hint = "hint",
  note = "note",
  tip = "tip",
  warning = "warning",
  important = "important",
}

-- Boxes titled from TITLES, then boxes titled from their first heading, in
-- the order they are looked for.
local LABELLED = {"answer", "facilitator", "hint", "note", "tip", "warning", "important"}
local EXERCISES = {"exercise", "activity"}

local function has_class(attr, cls)
  local classes = attr.classes
  for i = 1, #classes do
    if classes[i] == cls then return true end
  end
  return false
end

local function first_heading(node)
  for _, c in ipairs(node.children) do
    if c.type == "Heading" then return c end
  end
end

-- Mark ticked task items of a choice (in nested lists too).
local function mark_correct(node)
  for _, c in ipairs(node.children) do
    if c.type == "Item" and c.checked == true then
      local a = c.attr
      if not has_class(a, "correct") then
        table.insert(a.classes, 1, "correct")
        c.attr = a
      end
    end
    local t = c.type
    if t == "List" or t == "Item" or t == "Div" or t == "BlockQuote" then mark_correct(c) end
  end
end

local function response(node, attr, ctx)
  -- a response without a model answer keeps its writing lines in every edition
  if ctx.edition.include.answer and #node.children > 0 then
    if not has_class(attr, "model-answer") then attr.classes[#attr.classes + 1] = "model-answer" end
    attr.title = attr.title or ctx.label("model_answer")
    node.attr = attr
    return
  end
  local n = math.tointeger(tonumber(attr.lines)) or 3
  if n < 1 then n = 1 elseif n > 60 then n = 60 end
  local rules = {}
  for i = 1, n do rules[i] = course.Div({}, {classes = {"rule"}}) end
  node.children = rules
end

return {
  Div = function(node, ctx)
    local attr = node.attr
    if #attr.classes == 0 then return end -- none of ours
    if has_class(attr, "response") then return response(node, attr, ctx) end
    if has_class(attr, "choice") then
      if ctx.edition.include.answer then mark_correct(node) end
      return
    end
    for _, cls in ipairs(LABELLED) do
      if has_class(attr, cls) then
        if not attr.title then
          attr.title = ctx.label(TITLES[cls])
          node.attr = attr
        end
        return
      end
    end
    for _, cls in ipairs(EXERCISES) do
      if has_class(attr, cls) then
        if not attr.title and not first_heading(node) then
          attr.title = ctx.label(cls)
          node.attr = attr
        end
        return
      end
    end
  end,
}
