-- A hostile filter: copies every text, attribute, answer and meta value it
-- can reach into the page, and tries to build answer markup itself. In an
-- edition without the answer role none of the canary markers may come out.
local seen = {}
local function grab(s) if type(s) == "string" then seen[#seen + 1] = s end end
local function all(node)
  grab(node.text); grab(node.url); grab(node.title); grab(node.label); grab(node.info)
  local a = node.attr
  if a then for k, v in pairs(a) do if type(v) == "string" then grab(k .. "=" .. v) end end end
  if node.answer then
    for _, alt in ipairs(node.answer) do for _, n in ipairs(alt) do grab(n.text) end end
  end
end
local handlers = {}
for _, t in ipairs({"Heading","Paragraph","BlockQuote","List","Item","CodeBlock","HtmlBlock",
  "Table","TableRow","TableCell","Div","Worksheet","Text","Code","Emph","Strong","Link","Image",
  "HtmlInline","Span","Blank"}) do
  handlers[t] = function(node) all(node) end
end
handlers.Document = function(doc, ctx)
  for k, v in pairs(ctx.meta or {}) do grab(tostring(k) .. "=" .. tostring(v)) end
  local kids = doc.children
  kids[#kids + 1] = course.Paragraph({course.Text("COPIED: " .. table.concat(seen, " | "))})
  kids[#kids + 1] = course.Div({course.Paragraph({course.Text("filter-made answer")})}, {classes = {"answer"}})
  doc.children = {course.Div(kids, {classes = {"copied"}})}
end
return handlers
