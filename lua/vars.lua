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

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Code: substitute resolved variables only; `\{{` stays as written.
local function in_code(text, vars)
  local out, pos = {}, 1
  while true do
    local s, e, inner = text:find("{{([^{}]*)}}", pos)
    if not s then break end
    local name = trim(inner)
    local value = vars[name]
    out[#out + 1] = text:sub(pos, s - 1)
    if type(value) == "string" and name ~= "" and text:sub(s - 1, s - 1) ~= "\\" then
      out[#out + 1] = value
    else
      out[#out + 1] = text:sub(s, e)
    end
    pos = e + 1
  end
  out[#out + 1] = text:sub(pos)
  return table.concat(out)
end

local function blank_for(name)
  return course.Blank{label = name, width = 16}
end

-- Prose: returns nil when nothing changes, else a list of nodes.
local function in_text(node, ctx)
  local text = node.text
  if not text:find("{{", 1, true) then return nil end
  local vars = ctx.vars
  local blank_unset = ctx.module.unset_vars == "blank"
  local nodes, buf, pos = {}, {}, 1
  local changed = false
  while pos <= #text do
    local s = text:find("{{", pos, true)
    if not s then break end
    if s > 1 and text:sub(s - 1, s - 1) == "\\" then
      -- escaped: drop the backslash, keep the braces literally
      buf[#buf + 1] = text:sub(pos, s - 2) .. "{{"
      pos = s + 2
      changed = true
    else
      -- a variable ends at the first brace after `{{`, which must start
      -- `}}`; looking no further keeps long runs of `{{` linear
      local k = text:find("[{}]", s + 2)
      local e = k and text:sub(k, k + 1) == "}}" and k or nil
      local inner = e and text:sub(s + 2, e - 1)
      if not inner or trim(inner) == "" then
        buf[#buf + 1] = text:sub(pos, s + 1)
        pos = s + 2
      else
        local name = trim(inner)
        local value = vars[name]
        buf[#buf + 1] = text:sub(pos, s - 1)
        if type(value) == "string" then
          buf[#buf + 1] = value
        else
          if value == nil and not blank_unset then
            ctx.warn({line = node.line, col = node.col > 0 and node.col + s - 1 or 0},
              "unresolved variable `" .. name ..
              "` (set it in vars:, with --var, or declare it as a fill-in)")
          end
          if #buf > 0 then nodes[#nodes + 1] = course.Text(table.concat(buf)) end
          buf = {}
          nodes[#nodes + 1] = blank_for(name)
        end
        pos = e + 2
        changed = true
      end
    end
  end
  if not changed then return nil end
  buf[#buf + 1] = text:sub(pos)
  local rest = table.concat(buf)
  if rest ~= "" then nodes[#nodes + 1] = course.Text(rest) end
  if #nodes == 1 and nodes[1].type == "Text" then
    node.text = nodes[1].text
    return nil
  end
  return nodes
end

return {
  -- the core calls these handlers only for nodes whose text holds `{{`
  -- (see "needs" in docs/filters.md): most text has no variable in it
  needs = {Text = "{{", Code = "{{", CodeBlock = "{{"},
  Text = in_text,
  Code = function(node, ctx)
    local t = in_code(node.text, ctx.vars)
    if t ~= node.text then node.text = t end
  end,
  CodeBlock = function(node, ctx)
    local t = in_code(node.text, ctx.vars)
    if t ~= node.text then node.text = t end
  end,
}
