-- vars.lua — template variables (SPEC §6).
-- Replaces `{{ name }}` with the variable's value. ctx.vars holds every
-- variable already merged (--var, then module vars:, then course vars:, then
-- the built-ins course.title, course.id, module.title, module.id, edition);
-- a fill-in (declared with no value) is `false` there.
--   * prose, headings, table cells, worksheets: a resolved variable becomes
--     its text; a fill-in, or any unresolved variable when unset_vars is
--     `blank`, becomes a blank labelled with its name; any other unresolved
--     variable becomes the same blank plus a warning.
--   * code spans and code blocks: replaced only when resolved, else left as
--     written (code may use braces).
--   * `\{{` in prose is a literal `{{`.

local find, sub, byte, match = string.find, string.sub, string.byte, string.match
local concat, type = table.concat, type
local Text, Blank = course.Text, course.Blank

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

-- Prose: returns nil when nothing changes, else a list of nodes. Each
-- string function call costs far more than a VM instruction, so the escape
-- check and the first byte of the name come from one string.byte, and the
-- end of the text is found by its length rather than by one more find/sub.
local function in_text(node, ctx)
  local text = node.text
  local s = find(text, "{{", 1, true)
  if not s then return nil end
  local len = #text
  local vars = ctx.vars
  local blank_unset = ctx.module.unset_vars == "blank"
  local nodes, nn = nil, 0  -- nodes made so far
  local buf, nb = nil, 0    -- pieces of the text before the next blank
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
        if value and type(value) == "string" then
          buf = buf or {}
          if pos < s then
            nb = nb + 1
            buf[nb] = sub(text, pos, s - 1)
          end
          nb = nb + 1
          buf[nb] = value
        else
          if value == nil and not blank_unset then
            ctx.warn({line = node.line, col = node.col > 0 and node.col + s - 1 or 0},
              "unresolved variable `" .. name ..
              "` (set it in vars:, with --var, or declare it as a fill-in)")
          end
          -- the text before the blank, even when empty
          local t = sub(text, pos, s - 1)
          if nb > 0 then
            buf[nb + 1] = t
            t = concat(buf, "", 1, nb + 1)
            nb = 0
          end
          if nodes then
            nodes[nn + 1] = Text(t)
            nodes[nn + 2] = Blank{label = name, width = 16}
          else
            nodes = {Text(t), Blank{label = name, width = 16}, nil} -- room for the rest
          end
          nn = nn + 2
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
