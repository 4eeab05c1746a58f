-- Sandbox test: os.getenv
return {
  Document = function(doc, ctx)
    local h = os.getenv("HOME")
  end,
}
