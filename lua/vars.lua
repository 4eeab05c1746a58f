-- vars.lua — template variables (SPEC §6, §11.4, §11.7).
-- Replaces `{{ name }}` with the variable's value. ctx.vars holds every
-- variable already merged (--var, then module vars:, then course vars:, then
-- the built-ins course.title, course.id, module.title, module.id, edition);
-- a fill-in (declared with no value) is `false` there, and ctx.labels holds
-- the visible label of a fill-in declared with one. A value that holds a
-- blank (`[[...]]`) or a `\[[` is a list of nodes (Text and Blank, already
-- pruned for the edition, fresh at every read).
--   * prose, headings, table cells, worksheets, code with live blanks: a
--     resolved variable becomes its text (or its nodes); a fill-in, or any
--     unresolved variable when unset_vars is `blank`, becomes a blank
--     labelled with its name (showing the fill-in's label when it has one);
--     any other unresolved variable becomes the same blank plus a warning.
--   * code spans and code blocks: replaced only when the value is a string,
--     else left as written (code may use braces).
--   * `\{{` in prose is a literal `{{`.
-- No position is computed here: in an edition that had content removed,
-- node.line and node.col are nil, and ctx.warn{node=, offset=} reports the
-- true position anyway.

local find, sub, byte, match = string.find, string.sub, string.byte, string.match
local concat, type = table.concat, type
local Text, Blank, slice = course.Text, course.Blank, course.slice

local NONE = math.huge

-- A variable is `{{`, a name, `}}`: it ends at the first brace after `{{`,
-- which must start `}}` (looking no further keeps long runs of `{{`
-- linear). The name is trimmed of whitespace; names are rarely written with
-- spaces, so most need no pattern at all. Callers keep lb and rb, the first
-- `{` and `}` after an earlier `{{` of the same text, so a text is searched
-- once for each however many `{{` it holds.

-- The variable whose `{{` is at s: its name, or nil when none starts there
-- (no `}}` before the next `{`, or only whitespace inside); and lb, rb.
-- f is the byte after `{{` when the caller has it from a wider string.byte.
local function name_at(text, s, lb, rb, f)
  local from = s + 2
  if rb < from then rb = find(text, "}", from, true) or NONE end
  if lb < from then lb = find(text, "{", from, true) or NONE end
  local name
  if rb < lb and rb > from then
    local z, _, c = byte(text, rb - 1, rb + 1)
    if c == 125 then
      name = sub(text, from, rb - 1)
      if z <= 32 or (f or byte(name)) <= 32 then
        name = match(name, "^%s*(.-)%s*$")
        if name == "" then name = nil end
      end
    end
  end
  return name, lb, rb
end

-- Code: substitute resolved variables only; `\{{` stays as written.
local function in_code(text, vars)
  local s = find(text, "{{", 1, true)
  if not s then return text end
  local out, n, pos, lb, rb = {}, 0, 1, 0, 0
  repeat
    local name
    name, lb, rb = name_at(text, s, lb, rb)
    if name then
      local value = vars[name]
      if type(value) == "string" and (s == 1 or byte(text, s - 1) ~= 92) then
        out[n + 1] = sub(text, pos, s - 1)
        out[n + 2] = value
        n = n + 2
        pos = rb + 2
      end
      s = find(text, "{{", rb + 2, true)
    elseif rb < lb and byte(text, rb + 1) == 125 then
      s = find(text, "{{", rb + 2, true) -- `{{}}`: not a variable, skipped
    else
      -- no variable here; the next one may start inside these braces
      s = find(text, "{{", s + 1, true)
    end
  until not s
  if n == 0 then return text end
  out[n + 1] = sub(text, pos)
  return concat(out)
end

-- The blank an unresolved variable or a fill-in becomes (with a warning
-- for a variable nobody declared, unless unset_vars is `blank`): labelled
-- with the name (the markup keeps it), showing the fill-in's label if any;
-- without one the writers show the name in words ("Trainer name").
-- blank_unset: the module's unset_vars is `blank`; labels: ctx.labels.
local function fill_in(node, ctx, name, value, s, blank_unset, labels)
  if value == nil and not blank_unset then
    ctx.warn({node = node, offset = s - 1},
      "unresolved variable `" .. name .. "` (set it in vars:, with --var, or declare it as a fill-in)")
  end
  return Blank{label = name, width = 16, text = labels[name]}
end

-- A text the parser marked literal (it holds a `\[[` written in the
-- source): its own pieces are cut with course.slice, which keeps the mark,
-- rather than rebuilt as new strings. Rare, so kept simple.
local function in_literal_text(node, ctx, text)
  local vars = ctx.vars
  local len = #text
  local out, n = {}, 0
  local pos, changed, lb, rb = 1, false, 0, 0
  local s = find(text, "{{", 1, true)
  while s do
    local next_from = s + 2
    if s > 1 and byte(text, s - 1) == 92 then
      if s - 2 >= pos then n = n + 1; out[n] = slice(node, pos, s - 2) end
      n = n + 1; out[n] = Text("{{")
      pos = s + 2
      changed = true
    else
      local name
      name, lb, rb = name_at(text, s, lb, rb)
      if name then
        if s > pos then n = n + 1; out[n] = slice(node, pos, s - 1) end
        local value = vars[name]
        local tv = type(value)
        if tv == "string" then
          n = n + 1; out[n] = Text(value)
        elseif tv == "table" then
          for k = 1, #value do n = n + 1; out[n] = value[k] end
        else
          n = n + 1; out[n] = fill_in(node, ctx, name, value, s, ctx.module.unset_vars == "blank", ctx.labels)
        end
        pos = rb + 2
        next_from = pos
        changed = true
      end
    end
    s = next_from <= len and find(text, "{{", next_from, true)
  end
  if not changed then return nil end
  if pos <= len then n = n + 1; out[n] = slice(node, pos, len) end
  return out
end

-- Prose: returns nil when nothing changes, else a list of nodes. Each
-- string function call costs far more than a VM instruction, so the escape
-- check and the first byte of the name come from one string.byte, and the
-- end of the text is found by its length rather than by one more find/sub.
local function in_text(node, ctx)
  local text = node.text
  local s = find(text, "{{", 1, true)
  if not s then return nil end
  if find(text, "[[", 1, true) and node.literal then return in_literal_text(node, ctx, text) end
  local len = #text
  local vars = ctx.vars
  local blank_unset, labels = ctx.module.unset_vars == "blank", ctx.labels
  local nodes, nn = nil, 0  -- nodes made so far
  local buf, nb = nil, 0    -- pieces of the text before the next node
  local pos, changed, lb, rb = 1, false, 0, 0
  repeat
    local from = s + 2
    local esc, f, _
    if s > 1 then
      esc, _, _, f = byte(text, s - 1, from)
    else
      f = byte(text, from)
    end
    if esc == 92 then
      -- escaped: drop the backslash, keep the braces literally
      buf = buf or {}
      buf[nb + 1] = sub(text, pos, s - 2)
      buf[nb + 2] = "{{"
      nb = nb + 2
      pos = from
      changed = true
    else
      local name
      name, lb, rb = name_at(text, s, lb, rb, f)
      if not name then
        buf = buf or {}
        nb = nb + 1
        buf[nb] = sub(text, pos, s + 1)
        pos = from
      else
        local value = vars[name]
        local tv = type(value)
        if tv == "string" then
          buf = buf or {}
          if pos < s then
            nb = nb + 1
            buf[nb] = sub(text, pos, s - 1)
          end
          nb = nb + 1
          buf[nb] = value
        else
          -- the text before the nodes (for a blank even when empty)
          local t = sub(text, pos, s - 1)
          if nb > 0 then
            buf[nb + 1] = t
            t = concat(buf, "", 1, nb + 1)
            nb = 0
          end
          if tv == "table" then
            -- a value holding a blank: its nodes, fresh from ctx.vars
            nodes = nodes or {}
            if t ~= "" then
              nn = nn + 1
              nodes[nn] = Text(t)
            end
            for k = 1, #value do
              nn = nn + 1
              nodes[nn] = value[k]
            end
          elseif nodes then
            nodes[nn + 1] = Text(t)
            nodes[nn + 2] = fill_in(node, ctx, name, value, s, blank_unset, labels)
            nn = nn + 2
          else
            nodes = {Text(t), fill_in(node, ctx, name, value, s, blank_unset, labels), nil} -- room for the rest
            nn = 2
          end
        end
        pos = rb + 2
        changed = true
      end
    end
    s = pos < len and find(text, "{{", pos, true)
  until not s
  if not changed then return nil end
  local rest = pos <= len and sub(text, pos) or ""
  if nb > 0 then rest = concat(buf, "", 1, nb) .. rest end
  if not nodes then
    -- only text: change the node in place (an empty result deletes it)
    if rest == "" then return {} end
    node.text = rest
    return nil
  end
  if rest ~= "" then nodes[nn + 1] = Text(rest) end
  return nodes
end

return {
  -- the core calls these handlers only for nodes whose text holds `{{`
  -- (see "needs" in docs/filters.md): most text has no variable in it
  needs = {Text = "{{", Code = "{{", CodeBlock = "{{"},
  Text = in_text,
  Code = function(node, ctx)
    local text = node.text
    local t = in_code(text, ctx.vars)
    if t ~= text then node.text = t end
  end,
  CodeBlock = function(node, ctx)
    local text = node.text
    local t = in_code(text, ctx.vars)
    if t ~= text then node.text = t end
  end,
}
